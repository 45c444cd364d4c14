using System.Text.Json;
using CrmPlatform.Persistence.Audit;
using CrmPlatform.Persistence.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;

namespace CrmPlatform.Persistence.Gdpr;

/// <summary>
/// The audit log's part in data subject requests. The log stays append-only: the one change the database allows to an
/// entry is its redaction (every changed value replaced by <c>"[erased]"</c>, who and when kept), and the only delete
/// is a retention purge through <c>audit_entries_purge</c>, which records what it removed. Both are enforced by
/// triggers (<see cref="MakeAuditLogRedactableAndPurgeable"/>), not by the code that calls them.
/// </summary>
public static class AuditTrail
{
    public const string Erased = "[erased]";

    /// <summary>The entries about these records (the person and records that belong to them), oldest first.</summary>
    public static async Task<List<object>> CollectAsync(TenantDbContext db, IReadOnlyCollection<Guid> entityIds, CancellationToken cancellationToken)
    {
        var ids = entityIds.ToList();
        var entries = await db.Set<AuditEntry>().AsNoTracking()
            .Where(e => ids.Contains(e.EntityId))
            .OrderBy(e => e.CreatedAt).ThenBy(e => e.Id)
            .ToListAsync(cancellationToken);
        return [.. entries.Select(e => (object)new
        {
            e.Id, e.EntityType, e.EntityId, e.Action, e.ActorId, OccurredAt = e.CreatedAt,
            Changes = JsonDocument.Parse(e.Changes).RootElement.Clone(),
        })];
    }

    /// <summary>
    /// Redacts the values in every entry about these records, in the caller's transaction; returns how many entries
    /// changed. Run it after the erasure's own changes are saved, so the entries they wrote are redacted too.
    /// </summary>
    public static async Task<int> RedactAsync(TenantDbContext db, IReadOnlyCollection<Guid> entityIds, CancellationToken cancellationToken)
    {
        var ids = entityIds.ToArray();
        return await db.Database.SqlQuery<int>($"SELECT audit_entries_redact({db.CurrentTenantId}, {ids}) AS \"Value\"")
            .SingleAsync(cancellationToken);
    }

    /// <summary>
    /// Replaces the audit log's statement trigger (no UPDATE, DELETE or TRUNCATE at all) with row triggers that allow
    /// exactly two things: turning an entry into its redacted form, and deleting entries older than the cut-off that
    /// <c>audit_entries_purge</c> sets for its own statement. <c>audit_entries_purge</c> appends an entry saying how
    /// many entries of which period it removed, so a purge is never silent.
    /// </summary>
    public static void MakeAuditLogRedactableAndPurgeable(this MigrationBuilder migrationBuilder) => migrationBuilder.Sql($$"""
        DROP TRIGGER audit_entries_append_only ON {{AuditLogModel.Table}};
        CREATE TRIGGER audit_entries_append_only BEFORE TRUNCATE ON {{AuditLogModel.Table}}
            FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_are_append_only();

        CREATE FUNCTION audit_redacted(changes jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
            SELECT coalesce(jsonb_object_agg(field, CASE
                    WHEN jsonb_typeof(change) = 'object' THEN (
                        SELECT coalesce(jsonb_object_agg(side, CASE WHEN value = 'null'::jsonb THEN value ELSE '"{{Erased}}"'::jsonb END), '{}'::jsonb)
                        FROM jsonb_each(change) AS sides(side, value))
                    WHEN change = 'null'::jsonb THEN change
                    ELSE '"{{Erased}}"'::jsonb END), '{}'::jsonb)
            FROM jsonb_each(changes) AS fields(field, change)
        $$;

        CREATE FUNCTION audit_entries_only_redacted() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF (NEW.id, NEW.tenant_id, NEW.created_at, NEW.entity_type, NEW.entity_id, NEW.action, NEW.actor_id)
                    IS DISTINCT FROM (OLD.id, OLD.tenant_id, OLD.created_at, OLD.entity_type, OLD.entity_id, OLD.action, OLD.actor_id)
                OR NEW.changes IS DISTINCT FROM audit_redacted(OLD.changes) THEN
                RAISE EXCEPTION 'the audit log is append-only: an entry can only be redacted' USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER audit_entries_redaction_only BEFORE UPDATE ON {{AuditLogModel.Table}}
            FOR EACH ROW EXECUTE FUNCTION audit_entries_only_redacted();

        CREATE FUNCTION audit_entries_only_purged() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF coalesce(current_setting('crm.audit_purge_before', true), '') = ''
                OR OLD.created_at >= current_setting('crm.audit_purge_before')::timestamptz THEN
                RAISE EXCEPTION 'the audit log is append-only: entries are removed only by audit_entries_purge' USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN OLD;
        END $$;
        CREATE TRIGGER audit_entries_purge_only BEFORE DELETE ON {{AuditLogModel.Table}}
            FOR EACH ROW EXECUTE FUNCTION audit_entries_only_purged();

        CREATE FUNCTION audit_entries_redact(p_tenant uuid, p_entity_ids uuid[]) RETURNS integer LANGUAGE sql AS $$
            WITH redacted AS (
                UPDATE {{AuditLogModel.Table}} SET changes = audit_redacted(changes)
                WHERE tenant_id = p_tenant AND entity_id = ANY(p_entity_ids) AND changes IS DISTINCT FROM audit_redacted(changes)
                RETURNING 1)
            SELECT count(*)::integer FROM redacted
        $$;

        CREATE FUNCTION audit_entries_purge(p_tenant uuid, p_before timestamptz, p_actor text) RETURNS integer LANGUAGE plpgsql AS $$
        DECLARE
            purged integer;
            oldest timestamptz;
            newest timestamptz;
        BEGIN
            PERFORM set_config('crm.audit_purge_before', p_before::text, true);
            WITH gone AS (DELETE FROM {{AuditLogModel.Table}} WHERE tenant_id = p_tenant AND created_at < p_before RETURNING created_at)
            SELECT count(*), min(created_at), max(created_at) INTO purged, oldest, newest FROM gone;
            PERFORM set_config('crm.audit_purge_before', '', true);
            IF purged > 0 THEN
                INSERT INTO {{AuditLogModel.Table}} (id, tenant_id, created_at, entity_type, entity_id, action, actor_id, changes)
                VALUES (gen_random_uuid(), p_tenant, now(), 'audit', p_tenant, 'purged', p_actor,
                    jsonb_build_object('purged', jsonb_build_object('from', null, 'to', purged),
                        'oldest', jsonb_build_object('from', null, 'to', oldest), 'newest', jsonb_build_object('from', null, 'to', newest),
                        'before', jsonb_build_object('from', null, 'to', p_before)));
            END IF;
            RETURN purged;
        END $$;
        """);

    public static void DropAuditLogRedactionAndPurge(this MigrationBuilder migrationBuilder) => migrationBuilder.Sql($$"""
        DROP FUNCTION audit_entries_purge(uuid, timestamptz, text);
        DROP FUNCTION audit_entries_redact(uuid, uuid[]);
        DROP TRIGGER audit_entries_purge_only ON {{AuditLogModel.Table}};
        DROP FUNCTION audit_entries_only_purged();
        DROP TRIGGER audit_entries_redaction_only ON {{AuditLogModel.Table}};
        DROP FUNCTION audit_entries_only_redacted();
        DROP FUNCTION audit_redacted(jsonb);
        DROP TRIGGER audit_entries_append_only ON {{AuditLogModel.Table}};
        CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {{AuditLogModel.Table}}
            FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_are_append_only();
        """);
}
