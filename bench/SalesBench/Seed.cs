using Npgsql;
using NpgsqlTypes;

namespace CrmPlatform.SalesBench;

/// <summary>
/// Generated opportunities written straight into Sales' tables with binary COPY, as Sales itself would have written
/// them (stage history for won deals, activities, commitments, close-date changes, teams in the team directory), so
/// that every join the forecast makes has rows to join.
/// </summary>
internal static class Seed
{
    public sealed record Pipeline(Guid Id, string[] OpenStages, string Won, string Lost);

    public static async Task RunAsync(string connectionString, Guid tenant, Guid customer, Pipeline board, Pipeline forecast,
        int boardOpen, int total, int owners, DateTime now)
    {
        var random = new Random(42);
        var ownerIds = Enumerable.Range(0, owners).Select(i => $"bench-owner-{i:D3}").ToArray();
        var today = DateOnly.FromDateTime(now);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();

        var won = new List<(Guid Id, Guid Pipeline, string Stage, DateTime Closed)>();
        var open = new List<Guid>();
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY opportunities (id, tenant_id, name, amount, currency, customer_id, pipeline_id, stage, stage_entered_at, expected_close_date, " +
            "closed_at, lost_reason, owner_id, created_by, updated_by, created_at, updated_at, version) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < total; i++)
            {
                var onBoard = i < boardOpen;
                var pipeline = onBoard ? board : forecast;
                // Beyond the board's, 45 % open, 30 % won, 25 % lost, over two years of close dates around today.
                var roll = random.NextDouble();
                var kind = onBoard || roll < 0.45 ? 0 : roll < 0.75 ? 1 : 2;
                var stage = kind switch { 0 => pipeline.OpenStages[random.Next(pipeline.OpenStages.Length)], 1 => pipeline.Won, _ => pipeline.Lost };
                var created = now.AddDays(-random.Next(30, 400)).AddSeconds(-random.Next(86_400));
                var entered = created.AddDays(random.Next(0, 25));
                DateTime? closed = kind == 0 ? null : now.AddDays(-random.Next(0, 365)).AddSeconds(-random.Next(86_400));
                var id = Guid.CreateVersion7();
                var owner = ownerIds[random.Next(owners)];
                await copy.StartRowAsync();
                await copy.WriteAsync(id, NpgsqlDbType.Uuid);
                await copy.WriteAsync(tenant, NpgsqlDbType.Uuid);
                await copy.WriteAsync($"Bench deal {i}", NpgsqlDbType.Varchar);
                await copy.WriteAsync((decimal)random.Next(1_000, 500_000), NpgsqlDbType.Numeric);
                await copy.WriteAsync(random.Next(5) == 0 ? "USD" : "EUR", NpgsqlDbType.Char);
                await copy.WriteAsync(customer, NpgsqlDbType.Uuid);
                await copy.WriteAsync(pipeline.Id, NpgsqlDbType.Uuid);
                await copy.WriteAsync(stage, NpgsqlDbType.Varchar);
                await copy.WriteAsync(kind == 0 ? entered : closed!.Value, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(today.AddDays(random.Next(-365, 365)), NpgsqlDbType.Date);
                if (closed is null)
                {
                    await copy.WriteNullAsync();
                }
                else
                {
                    await copy.WriteAsync(closed.Value, NpgsqlDbType.TimestampTz);
                }
                if (kind == 2)
                {
                    await copy.WriteAsync("Price", NpgsqlDbType.Varchar);
                }
                else
                {
                    await copy.WriteNullAsync();
                }
                await copy.WriteAsync(owner, NpgsqlDbType.Text);
                await copy.WriteAsync(owner, NpgsqlDbType.Text);
                await copy.WriteAsync(owner, NpgsqlDbType.Text);
                await copy.WriteAsync(created, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(created, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(1, NpgsqlDbType.Integer);
                if (kind == 1)
                {
                    won.Add((id, pipeline.Id, pipeline.OpenStages[^1], closed!.Value));
                }
                else if (kind == 0)
                {
                    open.Add(id);
                }
            }
            await copy.CompleteAsync();
        }

        // Won deals' last step: from the last open stage into won, after 1 to 60 days in it (the stale baseline).
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY opportunity_stage_changes (id, tenant_id, opportunity_id, from_pipeline_id, from_stage, pipeline_id, stage, created_at, changed_by, seconds_in_previous_stage) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var (id, pipeline, from, closed) in won)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                await copy.WriteAsync(tenant, NpgsqlDbType.Uuid);
                await copy.WriteAsync(id, NpgsqlDbType.Uuid);
                await copy.WriteAsync(pipeline, NpgsqlDbType.Uuid);
                await copy.WriteAsync(from, NpgsqlDbType.Varchar);
                await copy.WriteAsync(pipeline, NpgsqlDbType.Uuid);
                await copy.WriteAsync(forecast.Won, NpgsqlDbType.Varchar);
                await copy.WriteAsync(closed, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync("bench", NpgsqlDbType.Text);
                await copy.WriteAsync((long)random.Next(86_400, 60 * 86_400), NpgsqlDbType.Bigint);
            }
            await copy.CompleteAsync();
        }

        // One activity per opportunity, a current commitment on a third of the open ones, a pushed close date on a quarter.
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY activities (id, tenant_id, kind, subject, occurred_at, opportunity_id, owner_id, created_by, updated_by, created_at, updated_at, version) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var id in open.Concat(won.Select(w => w.Id)))
            {
                var at = now.AddDays(-random.Next(0, 60));
                await copy.StartRowAsync();
                await copy.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                await copy.WriteAsync(tenant, NpgsqlDbType.Uuid);
                await copy.WriteAsync("call", NpgsqlDbType.Varchar);
                await copy.WriteAsync("Follow-up", NpgsqlDbType.Varchar);
                await copy.WriteAsync(at, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(id, NpgsqlDbType.Uuid);
                await copy.WriteAsync("bench", NpgsqlDbType.Text);
                await copy.WriteAsync("bench", NpgsqlDbType.Text);
                await copy.WriteAsync("bench", NpgsqlDbType.Text);
                await copy.WriteAsync(at, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(at, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(1, NpgsqlDbType.Integer);
            }
            await copy.CompleteAsync();
        }
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY customer_commitments (id, tenant_id, opportunity_id, description, due_by, status, created_by, updated_by, created_at, updated_at, version) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var id in open.Where((_, i) => i % 3 == 0))
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                await copy.WriteAsync(tenant, NpgsqlDbType.Uuid);
                await copy.WriteAsync(id, NpgsqlDbType.Uuid);
                await copy.WriteAsync("Send the signed order form", NpgsqlDbType.Varchar);
                await copy.WriteAsync(today.AddDays(random.Next(1, 30)), NpgsqlDbType.Date);
                await copy.WriteAsync("current", NpgsqlDbType.Varchar);
                await copy.WriteAsync("bench", NpgsqlDbType.Text);
                await copy.WriteAsync("bench", NpgsqlDbType.Text);
                await copy.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(1, NpgsqlDbType.Integer);
            }
            await copy.CompleteAsync();
        }
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY close_date_changes (id, tenant_id, opportunity_id, from_date, to_date, pushed, created_at, changed_by) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var id in open.Where((_, i) => i % 4 == 0))
            {
                for (var push = 0; push < 2; push++)
                {
                    await copy.StartRowAsync();
                    await copy.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                    await copy.WriteAsync(tenant, NpgsqlDbType.Uuid);
                    await copy.WriteAsync(id, NpgsqlDbType.Uuid);
                    await copy.WriteAsync(today.AddDays(push * 30), NpgsqlDbType.Date);
                    await copy.WriteAsync(today.AddDays(push * 30 + 30), NpgsqlDbType.Date);
                    await copy.WriteAsync(true, NpgsqlDbType.Boolean);
                    await copy.WriteAsync(now, NpgsqlDbType.TimestampTz);
                    await copy.WriteAsync("bench", NpgsqlDbType.Text);
                }
            }
            await copy.CompleteAsync();
        }

        // Ten teams of five owners in the team directory (what Identity's events would have replicated).
        for (var team = 0; team < owners / 5; team++)
        {
            await using var insert = new NpgsqlCommand(
                "INSERT INTO directory_teams (id, tenant_id, version, is_deleted, created_at, updated_at, name, member_ids) VALUES (@id, @tenant, 1, false, @now, @now, @name, @members)", connection);
            insert.Parameters.AddWithValue("id", Guid.CreateVersion7());
            insert.Parameters.AddWithValue("tenant", tenant);
            insert.Parameters.AddWithValue("now", now);
            insert.Parameters.AddWithValue("name", $"Bench team {team}");
            insert.Parameters.AddWithValue("members", ownerIds.Skip(team * 5).Take(5).ToArray());
            await insert.ExecuteNonQueryAsync();
        }
        await using var analyze = new NpgsqlCommand("ANALYZE opportunities; ANALYZE opportunity_stage_changes; ANALYZE activities; ANALYZE customer_commitments; ANALYZE close_date_changes; ANALYZE directory_teams", connection);
        await analyze.ExecuteNonQueryAsync();
    }
}
