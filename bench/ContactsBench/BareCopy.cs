using System.Diagnostics;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace CrmPlatform.ContactsBench;

/// <summary>
/// The floor an import is compared with: the same rows, read from the same file, binary-COPYed into a table made
/// <c>LIKE people INCLUDING ALL</c> (same columns, generated search columns, defaults and indexes, GIN ones included)
/// with no validation, matching, events, audit or report.
/// </summary>
internal static class BareCopy
{
    /// <param name="intoPeople">Straight into <c>people</c> and kept: the latency-only run's seeding.</param>
    public static async Task<TimeSpan> RunAsync(string connectionString, string csvPath, Guid tenantId, int rows, bool intoPeople = false)
    {
        var table = intoPeople ? "people" : "bench_people_copy";
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        if (!intoPeople)
        {
            await using var create = new NpgsqlCommand("DROP TABLE IF EXISTS bench_people_copy; CREATE TABLE bench_people_copy (LIKE people INCLUDING ALL)", connection);
            await create.ExecuteNonQueryAsync();
        }

        var clock = Stopwatch.StartNew();
        var now = DateTime.UtcNow;
        await using (var copy = await connection.BeginBinaryImportAsync($"""
            COPY {table} (id, tenant_id, first_name, last_name, email, normalized_email, emails, phone, phones, addresses,
                job_title, organization_id, tags, do_not_call, do_not_email, created_at, updated_at, version, created_by, updated_by, owner_id,
                language, preferred_channel, segment, industry, rating, lifecycle_stage)
            FROM STDIN (FORMAT BINARY)
            """))
        {
            // The server may finish well after the last row is sent (triggers, thirty-odd indexes): no 30 s limit on that.
            copy.Timeout = TimeSpan.FromHours(1);
            foreach (var p in People.ReadCsv(csvPath).Take(rows))
            {
                var email = p.Email.ToLowerInvariant();
                var phone = "+4930" + p.Phone[7..].Replace(" ", "");
                await copy.StartRowAsync();
                await copy.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                await copy.WriteAsync(tenantId, NpgsqlDbType.Uuid);
                await copy.WriteAsync(p.FirstName, NpgsqlDbType.Varchar);
                await copy.WriteAsync(p.LastName, NpgsqlDbType.Varchar);
                await copy.WriteAsync(email, NpgsqlDbType.Varchar);
                await copy.WriteAsync(email, NpgsqlDbType.Varchar);
                await copy.WriteAsync(JsonSerializer.Serialize(new[] { new { address = email, type = "work", primary = true } }), NpgsqlDbType.Jsonb);
                await copy.WriteAsync(phone, NpgsqlDbType.Varchar);
                await copy.WriteAsync(JsonSerializer.Serialize(new[] { new { number = phone, type = "work", primary = true } }), NpgsqlDbType.Jsonb);
                await copy.WriteAsync(JsonSerializer.Serialize(new[] { new { type = "work", street = (string?)null, city = p.City, postalCode = (string?)null, region = (string?)null, country = p.Country } }), NpgsqlDbType.Jsonb);
                await copy.WriteAsync(p.JobTitle, NpgsqlDbType.Varchar);
                await copy.WriteAsync(p.OrganizationId, NpgsqlDbType.Uuid);
                await copy.WriteAsync(p.Tags.Split(';', StringSplitOptions.RemoveEmptyEntries).Order().ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
                await copy.WriteAsync(p.DoNotCall, NpgsqlDbType.Boolean);
                await copy.WriteAsync(p.DoNotEmail, NpgsqlDbType.Boolean);
                await copy.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(1, NpgsqlDbType.Integer);
                await copy.WriteAsync("bench", NpgsqlDbType.Varchar);
                await copy.WriteAsync("bench", NpgsqlDbType.Varchar);
                await WriteOrNullAsync(copy, p.OwnerId, NpgsqlDbType.Varchar);
                await copy.WriteAsync(p.Language, NpgsqlDbType.Varchar);
                await WriteOrNullAsync(copy, p.PreferredChannel, NpgsqlDbType.Varchar);
                await WriteOrNullAsync(copy, p.Segment, NpgsqlDbType.Varchar);
                await WriteOrNullAsync(copy, p.Industry, NpgsqlDbType.Varchar);
                await WriteOrNullAsync(copy, Rank(People.Ratings, p.Rating), NpgsqlDbType.Integer);
                await WriteOrNullAsync(copy, Rank(People.Stages, p.LifecycleStage), NpgsqlDbType.Integer);
            }
            await copy.CompleteAsync();
        }
        var elapsed = clock.Elapsed;
        // Seeded people are vacuumed as autovacuum would soon do on its own (the COPY's million inserts trigger it): left
        // to autovacuum, it runs during the timed queries, and every first read of a row sets its hint bits.
        await using var finish = new NpgsqlCommand(intoPeople ? "VACUUM (ANALYZE) people" : "DROP TABLE bench_people_copy", connection) { CommandTimeout = 0 };
        await finish.ExecuteNonQueryAsync();
        return elapsed;
    }

    /// <summary>As the people table stores a rating or stage: its rank, null for none.</summary>
    private static int? Rank(string[] names, string name) => Array.IndexOf(names, name) is > 0 and var rank ? rank : null;

    private static Task WriteOrNullAsync(NpgsqlBinaryImporter copy, object? value, NpgsqlDbType type) =>
        value is null or "" ? copy.WriteNullAsync() : copy.WriteAsync(value, type);
}
