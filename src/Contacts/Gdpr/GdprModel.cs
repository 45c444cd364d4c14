using CrmPlatform.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;

namespace CrmPlatform.Contacts.Gdpr;

internal static class GdprModel
{
    public static ModelBuilder AddGdpr(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<GdprRequest>(request =>
        {
            request.ToTable("gdpr_requests");
            request.Property(r => r.Type).HasMaxLength(30);
            request.Property(r => r.Status).HasMaxLength(20);
            request.Property(r => r.RequestedBy).HasMaxLength(200);
            request.HasIndex(r => new { r.TenantId, r.CreatedAt, r.Id });
            request.HasIndex(r => new { r.TenantId, r.PersonId });
            request.HasMany(r => r.Replies).WithOne().HasForeignKey(r => r.RequestId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<GdprServiceReply>(reply =>
        {
            reply.ToTable("gdpr_service_replies");
            reply.Property(r => r.Service).HasMaxLength(50);
            reply.Property(r => r.Content).HasColumnType("jsonb");
            // One answer per service: a redelivered or repeated answer cannot count twice.
            reply.HasIndex(r => new { r.RequestId, r.Service }).IsUnique();
        });
        modelBuilder.Entity<RetentionPolicy>(policy =>
        {
            policy.ToTable("retention_policies");
            policy.HasIndex(p => p.TenantId).IsUnique();
        });
        modelBuilder.Entity<RetentionRun>(run =>
        {
            run.ToTable("retention_runs");
            run.Property(r => r.TriggeredBy).HasMaxLength(200);
            run.Property(r => r.Anonymized).HasColumnType("jsonb");
            run.HasIndex(r => new { r.TenantId, r.CreatedAt, r.Id });
        });
        return modelBuilder;
    }

    /// <summary>
    /// The consent history stays append-only, with one exception for erasure: a row may lose the evidence that
    /// identifies the person (IP address, user agent, form URL) and the free-text reason, and nothing else may change.
    /// <c>consent_records_redact</c> does that for one person.
    /// </summary>
    public static void MakeConsentHistoryRedactable(this MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        DROP TRIGGER consent_records_append_only ON consent_records;
        CREATE TRIGGER consent_records_append_only BEFORE DELETE OR TRUNCATE ON consent_records
            FOR EACH STATEMENT EXECUTE FUNCTION consent_records_are_append_only();
        CREATE FUNCTION consent_records_only_redacted() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF (to_jsonb(NEW) - 'evidence_ip_address' - 'evidence_user_agent' - 'evidence_form_url' - 'reason')
                    IS DISTINCT FROM (to_jsonb(OLD) - 'evidence_ip_address' - 'evidence_user_agent' - 'evidence_form_url' - 'reason')
                OR NEW.evidence_ip_address IS NOT NULL OR NEW.evidence_user_agent IS NOT NULL
                OR NEW.evidence_form_url IS NOT NULL OR NEW.reason IS NOT NULL THEN
                RAISE EXCEPTION 'consent_records is append-only: a statement can only lose its identifying evidence' USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER consent_records_redaction_only BEFORE UPDATE ON consent_records
            FOR EACH ROW EXECUTE FUNCTION consent_records_only_redacted();
        CREATE FUNCTION consent_records_redact(p_tenant uuid, p_person uuid) RETURNS integer LANGUAGE sql AS $$
            WITH redacted AS (
                UPDATE consent_records SET evidence_ip_address = NULL, evidence_user_agent = NULL, evidence_form_url = NULL, reason = NULL
                WHERE tenant_id = p_tenant AND person_id = p_person
                  AND num_nonnulls(evidence_ip_address, evidence_user_agent, evidence_form_url, reason) > 0
                RETURNING 1)
            SELECT count(*)::integer FROM redacted
        $$;
        """);

    public static void DropConsentHistoryRedaction(this MigrationBuilder migrationBuilder) => migrationBuilder.Sql("""
        DROP FUNCTION consent_records_redact(uuid, uuid);
        DROP TRIGGER consent_records_redaction_only ON consent_records;
        DROP FUNCTION consent_records_only_redacted();
        DROP TRIGGER consent_records_append_only ON consent_records;
        CREATE TRIGGER consent_records_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON consent_records
            FOR EACH STATEMENT EXECUTE FUNCTION consent_records_are_append_only();
        """);
}
