using Npgsql;
using NpgsqlTypes;

namespace CrmPlatform.SlaBench;

/// <summary>
/// Open tickets and their SLA clocks, as the engine would have left them: clocks written straight into
/// <c>ticket_slas</c> with binary COPY (first responses met, resolutions running; <paramref name="breachDue"/> of them
/// past their due instant (already warned), <paramref name="warnDue"/> past their warning but not their due instant, a
/// tenth of the rest paused), and behind each clock its ticket, in one of <see cref="Groups"/> support groups of
/// <see cref="MembersPerGroup"/> agents with a manager's address, assigned to a member of it; one member of each group
/// is away, so escalation reassigns a fifth of the breaches and keeps the rest, and emails every breach's manager.
/// </summary>
internal static class Seed
{
    public const int Groups = 10;
    public const int MembersPerGroup = 5;

    public static async Task RunAsync(string connectionString, Guid tenant, Guid policy, int total, int breachDue, int warnDue, DateTime now)
    {
        var random = new Random(42);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await StaffAsync(connection, tenant, now);
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
                var agent = random.Next(Groups * MembersPerGroup);
                await copy.WriteAsync(GroupId(agent / MembersPerGroup), NpgsqlDbType.Uuid);
                await copy.WriteAsync(Agent(agent), NpgsqlDbType.Varchar);
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
        // The tickets behind the clocks, in SQL from the clocks themselves (same id, tenant, priority, group, assignee).
        await using var tickets = new NpgsqlCommand("""
            INSERT INTO tickets (id, tenant_id, number, subject, channel, status, status_changed_at, priority, requester_state, tags,
                assignee_id, group_id, created_at, updated_at, version)
            SELECT id, tenant_id, row_number() OVER (ORDER BY created_at, id), 'Printer on fire, case ' || row_number() OVER (ORDER BY created_at, id),
                'api', CASE WHEN paused_since IS NULL THEN 'open' ELSE 'pending' END, created_at, priority, 'known', '{}',
                assignee_id, group_id, created_at, created_at, 1
            FROM ticket_slas;
            ANALYZE tickets; ANALYZE ticket_slas;
            """, connection);
        await tickets.ExecuteNonQueryAsync();
    }

    /// <summary>The groups and the agents' availability; every run starts from none of the last run's tickets or what escalation made of them.</summary>
    private static async Task StaffAsync(NpgsqlConnection connection, Guid tenant, DateTime now)
    {
        await using var clear = new NpgsqlCommand(
            "TRUNCATE tickets, ticket_slas, outgoing_emails, outbox_messages CASCADE; DELETE FROM agent_profiles; DELETE FROM support_groups",
            connection);
        await clear.ExecuteNonQueryAsync();
        var batch = new NpgsqlBatch(connection);
        for (var g = 0; g < Groups; g++)
        {
            var members = Enumerable.Range(g * MembersPerGroup, MembersPerGroup).Select(Agent).ToArray();
            batch.BatchCommands.Add(new NpgsqlBatchCommand("""
                INSERT INTO support_groups (id, tenant_id, name, member_ids, manager_id, manager_email, created_at, updated_at, version)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $7, 1)
                """)
            { Parameters = { new() { Value = GroupId(g) }, new() { Value = tenant }, new() { Value = $"Queue {g}" }, new() { Value = members },
                new() { Value = $"lead-{g}" }, new() { Value = $"lead-{g}@bench.test" }, new() { Value = now } } });
            // The group's first member is away.
            batch.BatchCommands.Add(new NpgsqlBatchCommand("""
                INSERT INTO agent_profiles (id, tenant_id, user_id, languages, products, topics, availability, availability_changed_at, created_at, updated_at, version)
                VALUES ($1, $2, $3, '{}', '{}', '{}', 'away', $4, $4, $4, 1)
                """)
            { Parameters = { new() { Value = Guid.CreateVersion7() }, new() { Value = tenant }, new() { Value = members[0] }, new() { Value = now } } });
        }
        await batch.ExecuteNonQueryAsync();
    }

    private static Guid GroupId(int group) => new($"00000000-0000-0000-0000-{group + 1:D12}");

    private static string Agent(int agent) => $"bench-agent-{agent:D2}";

    private static Task WriteNullableAsync(NpgsqlBinaryImporter copy, DateTime? value) =>
        value is { } v ? copy.WriteAsync(v, NpgsqlDbType.TimestampTz) : copy.WriteNullAsync();
}
