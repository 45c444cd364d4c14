using System.Data;
using System.Globalization;
using System.Text.Json;
using CrmPlatform.Contracts.Marketing.V1;
using CrmPlatform.Marketing.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace CrmPlatform.Marketing.Segments;

public sealed record SegmentSample(Guid PersonId, string DisplayName, string? Email);

/// <summary>
/// Who is in which segment, kept by PostgreSQL: a segment's rules compile to one query (<see cref="SegmentRules"/>), a
/// saved segment's membership is recomputed set-based from it, and a change of one contact re-evaluates that contact
/// against every dynamic segment of the tenant in one query. Every entry and exit writes a
/// <see cref="SegmentMembershipChanged"/> to the outbox in the same transaction.
/// </summary>
public static class SegmentMembers
{
    /// <summary>The people a rule condition is evaluated over: the tenant's live persons.</summary>
    private const string People = "c.tenant_id = @tenant AND c.kind = 'Person' AND NOT c.is_deleted";

    public static async Task<(long Count, IReadOnlyList<SegmentSample> Sample)> PreviewAsync(
        MarketingDbContext db, RuleNode rules, DateTime now, int sampleSize, CancellationToken cancellationToken)
    {
        var sql = Parameters(db);
        var condition = SegmentRules.Compile(rules, sql, now);
        var count = (long)(await ScalarAsync(db, $"SELECT count(*) FROM directory_contacts c WHERE {People} AND {condition}", sql, cancellationToken))!;
        var sample = new List<SegmentSample>();
        // A parameter belongs to one command: the sample query compiles the rules again (to the same names).
        await using (var reader = await ReaderAsync(db,
            $"SELECT c.id, c.display_name, c.email FROM directory_contacts c WHERE {People} AND {condition} ORDER BY c.id LIMIT {sampleSize.ToString(CultureInfo.InvariantCulture)}",
            Parameters(db, rules, now), cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                sample.Add(new SegmentSample(reader.GetGuid(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
            }
        }
        return (count, sample);
    }

    /// <summary>
    /// Brings a dynamic segment's membership in line with its rules (null rules: everyone leaves) in one statement:
    /// the people the rules match and are not members enter, members they no longer match leave, and each change's
    /// event goes into the outbox. Call it inside a transaction.
    /// </summary>
    /// <returns>How many people entered or left.</returns>
    public static async Task<int> RecomputeAsync(MarketingDbContext db, Guid segmentId, RuleNode? rules, DateTime now, CancellationToken cancellationToken)
    {
        await LockTenantAsync(db, cancellationToken);
        var sql = Parameters(db);
        var condition = rules is null ? "false" : SegmentRules.Compile(rules, sql, now);
        var segment = sql.Add(segmentId, NpgsqlDbType.Uuid);
        var at = sql.Add(now, NpgsqlDbType.TimestampTz);
        var atText = sql.Add(JsonText(now), NpgsqlDbType.Text);
        var eventType = sql.Add(typeof(SegmentMembershipChanged).FullName!, NpgsqlDbType.Varchar);
        var text = $"""
            WITH matching AS (
                SELECT c.id FROM directory_contacts c WHERE {People} AND {condition}
            ), current_members AS (
                SELECT m.id, m.person_id FROM segment_memberships m WHERE m.tenant_id = @tenant AND m.segment_id = {segment} AND m.left_at IS NULL
            ), entered AS (
                INSERT INTO segment_memberships (id, tenant_id, segment_id, person_id, entered_at)
                SELECT gen_random_uuid(), @tenant, {segment}, x.id, {at} FROM matching x
                WHERE NOT EXISTS (SELECT 1 FROM current_members m WHERE m.person_id = x.id)
                RETURNING id, person_id, 1 AS version
            ), exited AS (
                UPDATE segment_memberships s SET left_at = {at} FROM current_members m
                WHERE s.id = m.id AND NOT EXISTS (SELECT 1 FROM matching x WHERE x.id = m.person_id)
                RETURNING s.id, s.person_id, 2 AS version
            ), changes AS (
                SELECT gen_random_uuid() AS event_id, ch.* FROM (SELECT * FROM entered UNION ALL SELECT * FROM exited) ch
            )
            INSERT INTO outbox_messages (event_id, event_type, payload, tenant_id, occurred_at, attempts)
            SELECT ch.event_id, {eventType}, jsonb_build_object(
                'eventId', ch.event_id, 'occurredAt', {atText}, 'tenantId', @tenant, 'aggregateId', ch.id, 'version', ch.version,
                'segmentId', {segment}, 'personId', ch.person_id,
                'change', CASE ch.version WHEN 1 THEN '{SegmentMembershipChanges.Entered}' ELSE '{SegmentMembershipChanges.Left}' END,
                'changedAt', {atText}), @tenant, {at}, 0
            FROM changes ch
            """;
        await using var command = await CommandAsync(db, text, sql, cancellationToken);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Re-evaluates one contact against every dynamic segment of the tenant: the person, or when
    /// <paramref name="contactId"/> is an organization, its people (an organization's open opportunity counts for them).
    /// Entries and exits are tracked on <paramref name="db"/> with their events; the caller saves.
    /// </summary>
    /// <remarks>
    /// It runs once per contact event, so it costs two round trips: the tenant's lock and its segments in one batch,
    /// then one query that evaluates the rules and compares with the current memberships, returning only the changes
    /// (with the membership each exit closes). Four round trips before (segments, lock, verdicts, memberships) were
    /// most of an update's time. The lock comes first, in a statement of its own, so the query after it sees every
    /// membership a writer that held the lock before us committed.
    /// </remarks>
    public static async Task<int> ReevaluateAsync(MarketingDbContext db, Guid contactId, DateTime now, CancellationToken cancellationToken)
    {
        var segments = new List<(Guid Id, string Rules)>();
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using (var batch = new NpgsqlBatch((NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction()))
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(LockSql) { Parameters = { new NpgsqlParameter("tenant", NpgsqlDbType.Uuid) { Value = db.CurrentTenantId } } });
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                $"SELECT id, rules::text FROM segments WHERE tenant_id = @tenant AND kind = '{SegmentKinds.Dynamic}' AND rules IS NOT NULL")
            {
                Parameters = { new NpgsqlParameter("tenant", NpgsqlDbType.Uuid) { Value = db.CurrentTenantId } },
            });
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            await reader.NextResultAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                segments.Add((reader.GetGuid(0), reader.GetString(1)));
            }
        }
        if (segments.Count == 0)
        {
            return 0;
        }

        var sql = Parameters(db);
        var rows = new List<string>();
        foreach (var segment in segments)
        {
            using var json = JsonDocument.Parse(segment.Rules);
            if (SegmentRules.Parse(json.RootElement, "rules", new FieldErrors()) is { } rules)
            {
                rows.Add($"({sql.Add(segment.Id, NpgsqlDbType.Uuid)}, (NOT c.is_deleted AND {SegmentRules.Compile(rules, sql, now)}))");
            }
        }
        if (rows.Count == 0)
        {
            return 0;
        }
        var contact = sql.Add(contactId, NpgsqlDbType.Uuid);
        // Only the changes come back: a match without a current membership enters, a current membership without a match
        // leaves (its row, to close it).
        var text = $"""
            SELECT c.id, s.segment_id, s.matches, m.id, m.entered_at
            FROM directory_contacts c CROSS JOIN LATERAL (VALUES {string.Join(", ", rows)}) AS s(segment_id, matches)
            LEFT JOIN segment_memberships m ON m.segment_id = s.segment_id AND m.person_id = c.id AND m.left_at IS NULL
            WHERE c.tenant_id = @tenant AND c.kind = 'Person' AND (c.id = {contact} OR c.organization_id = {contact})
              AND (s.matches IS TRUE) = (m.id IS NULL)
            """;
        var found = new List<(Guid Person, Guid Segment, bool Matches, Guid? Membership, DateTime? EnteredAt)>();
        await using (var reader = await ReaderAsync(db, text, sql, cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                found.Add((reader.GetGuid(0), reader.GetGuid(1), !reader.IsDBNull(2) && reader.GetBoolean(2),
                    reader.IsDBNull(3) ? null : reader.GetGuid(3), reader.IsDBNull(4) ? null : reader.GetDateTime(4)));
            }
        }
        var changes = 0;
        foreach (var (person, segment, matches, membership, enteredAt) in found)
        {
            if (matches)
            {
                Enter(db, segment, person, now);
            }
            else
            {
                // Attached as it is in the database, so the save writes only left_at.
                var current = new SegmentMembership { Id = membership!.Value, TenantId = db.CurrentTenantId, SegmentId = segment, PersonId = person, CreatedAt = enteredAt!.Value };
                Leave(db, db.SegmentMemberships.Attach(current).Entity, now);
            }
            changes++;
        }
        return changes;
    }

    /// <summary>Adds people to a static list; those already in it stay as they are. The caller saves.</summary>
    public static async Task<int> AddAsync(MarketingDbContext db, Guid segmentId, IReadOnlyCollection<Guid> people, DateTime now, CancellationToken cancellationToken)
    {
        await LockTenantAsync(db, cancellationToken);
        var members = await db.SegmentMemberships
            .Where(m => m.SegmentId == segmentId && m.LeftAt == null && people.Contains(m.PersonId))
            .Select(m => m.PersonId)
            .ToListAsync(cancellationToken);
        var added = people.Except(members).ToList();
        foreach (var person in added)
        {
            Enter(db, segmentId, person, now);
        }
        return added.Count;
    }

    public static void Enter(MarketingDbContext db, Guid segmentId, Guid personId, DateTime now)
    {
        var membership = new SegmentMembership { SegmentId = segmentId, PersonId = personId, CreatedAt = now };
        db.SegmentMemberships.Add(membership);
        db.AddEvent(new SegmentMembershipChanged(Guid.CreateVersion7(), now, db.CurrentTenantId, membership.Id, 1,
            segmentId, personId, SegmentMembershipChanges.Entered, now));
    }

    public static void Leave(MarketingDbContext db, SegmentMembership membership, DateTime now)
    {
        membership.LeftAt = now;
        db.AddEvent(new SegmentMembershipChanged(Guid.CreateVersion7(), now, db.CurrentTenantId, membership.Id, 2,
            membership.SegmentId, membership.PersonId, SegmentMembershipChanges.Left, now));
    }

    /// <summary>
    /// One writer of memberships per tenant at a time: a recompute and a contact's re-evaluation deciding on the same
    /// person concurrently would otherwise both enter them.
    /// </summary>
    private static async Task LockTenantAsync(MarketingDbContext db, CancellationToken cancellationToken)
    {
        var sql = Parameters(db);
        await using var command = await CommandAsync(db, LockSql, sql, cancellationToken);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private const string LockSql = "SELECT pg_advisory_xact_lock(hashtextextended('segments:' || @tenant::text, 0))";

    /// <summary>As System.Text.Json writes a UTC time, so the outbox payload reads back like one serialized in .NET.</summary>
    private static string JsonText(DateTime utc) => JsonSerializer.Serialize(DateTime.SpecifyKind(utc, DateTimeKind.Utc)).Trim('"');

    private static SqlParameters Parameters(MarketingDbContext db)
    {
        var sql = new SqlParameters();
        sql.AddNamed("tenant", db.CurrentTenantId, NpgsqlDbType.Uuid);
        return sql;
    }

    private static SqlParameters Parameters(MarketingDbContext db, RuleNode rules, DateTime now)
    {
        var sql = Parameters(db);
        SegmentRules.Compile(rules, sql, now);
        return sql;
    }

    private static async Task<NpgsqlCommand> CommandAsync(MarketingDbContext db, string text, SqlParameters sql, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var command = connection.CreateCommand();
        command.CommandText = text;
        command.Transaction = (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction();
        command.Parameters.AddRange(sql.All.ToArray());
        return command;
    }

    private static async Task<object?> ScalarAsync(MarketingDbContext db, string text, SqlParameters sql, CancellationToken cancellationToken)
    {
        await using var command = await CommandAsync(db, text, sql, cancellationToken);
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    private static async Task<NpgsqlDataReader> ReaderAsync(MarketingDbContext db, string text, SqlParameters sql, CancellationToken cancellationToken)
    {
        var command = await CommandAsync(db, text, sql, cancellationToken);
        return await command.ExecuteReaderAsync(CommandBehavior.Default, cancellationToken);
    }
}
