using Npgsql;
using NpgsqlTypes;

namespace CrmPlatform.SlaBench;

/// <summary>
/// Open tickets' SLA clocks written straight into <c>ticket_slas</c> with binary COPY, as the engine would have left
/// them: first responses met, resolutions running; <paramref name="breachDue"/> of them past their due instant (already
/// warned), <paramref name="warnDue"/> past their warning but not their due instant, a tenth of the rest paused.
/// </summary>
internal static class Seed
{
    public static async Task RunAsync(string connectionString, Guid tenant, Guid policy, int total, int breachDue, int warnDue, DateTime now)
    {
        var random = new Random(42);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY ticket_slas (id, tenant_id, priority, policy_id, warning_percent, group_id, assignee_id, running_since, paused_since, " +
            "first_response_target_seconds, first_response_used_seconds, first_response_due_at, first_response_warn_at, first_response_met_at, " +
            "resolution_target_seconds, resolution_used_seconds, resolution_due_at, resolution_warn_at, resolution_warned_at, " +
            "created_at, updated_at, version) FROM STDIN (FORMAT BINARY)"))
        {
            string[] priorities = ["low", "normal", "high", "urgent"];
            for (var i = 0; i < total; i++)
            {
                var created = now.AddMinutes(-random.Next(60, 60 * 24 * 10));
                var paused = i >= breachDue + warnDue && random.Next(10) == 0;
                DateTime? due = i < breachDue ? now.AddMinutes(-random.Next(1, 600))
                    : i < breachDue + warnDue ? now.AddMinutes(random.Next(1, 120))
                    : paused ? null : now.AddMinutes(random.Next(121, 60 * 24 * 10));
                DateTime? warn = due is null ? null : i < breachDue + warnDue ? now.AddMinutes(-random.Next(1, 600)) : due.Value.AddMinutes(-120);
                await copy.StartRowAsync();
                await copy.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                await copy.WriteAsync(tenant, NpgsqlDbType.Uuid);
                await copy.WriteAsync(priorities[random.Next(priorities.Length)], NpgsqlDbType.Varchar);
                await copy.WriteAsync(policy, NpgsqlDbType.Uuid);
                await copy.WriteAsync(80, NpgsqlDbType.Integer);
                await copy.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                await copy.WriteAsync($"bench-agent-{random.Next(50):D2}", NpgsqlDbType.Varchar);
                await WriteNullableAsync(copy, paused ? null : created);
                await WriteNullableAsync(copy, paused ? now.AddMinutes(-random.Next(1, 600)) : null);
                await copy.WriteAsync(3600, NpgsqlDbType.Integer);
                await copy.WriteAsync(1800L, NpgsqlDbType.Bigint);
                await copy.WriteAsync(created.AddHours(1), NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(created.AddMinutes(48), NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(created.AddMinutes(30), NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(28_800, NpgsqlDbType.Integer);
                await copy.WriteAsync(0L, NpgsqlDbType.Bigint);
                await WriteNullableAsync(copy, due);
                await WriteNullableAsync(copy, warn);
                await WriteNullableAsync(copy, i < breachDue ? warn : null);
                await copy.WriteAsync(created, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(created, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(1, NpgsqlDbType.Integer);
            }
            await copy.CompleteAsync();
        }
        await using var analyze = new NpgsqlCommand("ANALYZE ticket_slas", connection);
        await analyze.ExecuteNonQueryAsync();
    }

    private static Task WriteNullableAsync(NpgsqlBinaryImporter copy, DateTime? value) =>
        value is { } v ? copy.WriteAsync(v, NpgsqlDbType.TimestampTz) : copy.WriteNullAsync();
}
