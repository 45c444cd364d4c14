using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace CrmPlatform.SegmentBench;

/// <summary>
/// Generated people written straight into Marketing's contact replica (as the directory consumer would have kept them
/// from Contacts' events) and behaviour rows for a tenth of them, by binary COPY.
/// </summary>
internal static class Seed
{
    public static readonly string[] Stages = ["subscriber", "lead", "customer", "former-customer"];
    public static readonly string[] Countries = ["DE", "AT", "CH", "FR", "GB", "US", "NL", "ES", "IT", "PL"];
    public static readonly string[] Industries = ["software", "retail", "manufacturing", "health", "finance", "education", "media", "logistics", "energy", "public"];

    public static async Task<Guid[]> RunAsync(string connectionString, Guid tenant, int total, DateTime now)
    {
        var random = new Random(42);
        var ids = new Guid[total];
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY directory_contacts (id, tenant_id, version, is_deleted, created_at, updated_at, kind, display_name, email, organization_id, " +
            "processing_restricted, objects_to_direct_marketing, lifecycle_stage, industry, country, tags, custom_fields) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < total; i++)
            {
                var id = Guid.CreateVersion7();
                ids[i] = id;
                await copy.StartRowAsync();
                await copy.WriteAsync(id, NpgsqlDbType.Uuid);
                await copy.WriteAsync(tenant, NpgsqlDbType.Uuid);
                await copy.WriteAsync(1, NpgsqlDbType.Integer);
                await copy.WriteAsync(false, NpgsqlDbType.Boolean);
                await copy.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync("Person", NpgsqlDbType.Varchar);
                await copy.WriteAsync($"Bench Person {i}", NpgsqlDbType.Varchar);
                await copy.WriteAsync($"bench-{i}@example.com", NpgsqlDbType.Varchar);
                await copy.WriteNullAsync();
                await copy.WriteAsync(false, NpgsqlDbType.Boolean);
                await copy.WriteAsync(false, NpgsqlDbType.Boolean);
                await copy.WriteAsync(Stages[random.Next(Stages.Length)], NpgsqlDbType.Varchar);
                await copy.WriteAsync(Industries[random.Next(Industries.Length)], NpgsqlDbType.Varchar);
                await copy.WriteAsync(Countries[random.Next(Countries.Length)], NpgsqlDbType.Varchar);
                await copy.WriteAsync(random.Next(10) == 0 ? new[] { "vip", "newsletter" } : random.Next(3) == 0 ? ["newsletter"] : Array.Empty<string>(),
                    NpgsqlDbType.Array | NpgsqlDbType.Text);
                await copy.WriteAsync($$"""{"seats": {{random.Next(1, 100).ToString(CultureInfo.InvariantCulture)}}, "plan": "{{(random.Next(2) == 0 ? "starter" : "enterprise")}}"}""", NpgsqlDbType.Jsonb);
            }
            await copy.CompleteAsync();
        }

        // A tenth of the people were active lately (a Sales activity), and one in fifty has an open opportunity.
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY contact_behaviours (tenant_id, contact_id, kind, ref_id, occurred_at, active, version) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < total; i++)
            {
                if (i % 10 == 0)
                {
                    await Row(copy, tenant, ids[i], "activity", Guid.Empty, now.AddDays(-random.Next(0, 60)), 0);
                }
                if (i % 50 == 0)
                {
                    await Row(copy, tenant, ids[i], "open-opportunity", Guid.CreateVersion7(), now.AddDays(-random.Next(0, 60)), 1);
                }
            }
            await copy.CompleteAsync();
        }
        return ids;
    }

    private static async Task Row(NpgsqlBinaryImporter copy, Guid tenant, Guid contact, string kind, Guid refId, DateTime at, int version)
    {
        await copy.StartRowAsync();
        await copy.WriteAsync(tenant, NpgsqlDbType.Uuid);
        await copy.WriteAsync(contact, NpgsqlDbType.Uuid);
        await copy.WriteAsync(kind, NpgsqlDbType.Varchar);
        await copy.WriteAsync(refId, NpgsqlDbType.Uuid);
        await copy.WriteAsync(at, NpgsqlDbType.TimestampTz);
        await copy.WriteAsync(true, NpgsqlDbType.Boolean);
        await copy.WriteAsync(version, NpgsqlDbType.Integer);
    }
}
