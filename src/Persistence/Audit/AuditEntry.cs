using CrmPlatform.Persistence.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;

namespace CrmPlatform.Persistence.Audit;

/// <summary>One write to an audited record: who, when, and each changed field from what to what.</summary>
public sealed class AuditEntry : ITenantOwned, IKeysetOrdered
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    /// <summary>When the write happened.</summary>
    public DateTime CreatedAt { get; init; }
    public string EntityType { get; init; } = "";
    public Guid EntityId { get; init; }
    /// <summary>created, updated or deleted.</summary>
    public string Action { get; init; } = "";
    public string ActorId { get; init; } = "";
    /// <summary><c>{ "field": { "from": ..., "to": ... } }</c> as JSON.</summary>
    public string Changes { get; init; } = "{}";
}

public static class AuditLogModel
{
    public const string Table = "audit_entries";

    public static ModelBuilder AddAuditLog(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<AuditEntry>(entry =>
        {
            entry.ToTable(Table);
            entry.Property(e => e.EntityType).HasMaxLength(100);
            entry.Property(e => e.Action).HasMaxLength(20);
            entry.Property(e => e.ActorId).HasMaxLength(200);
            entry.Property(e => e.Changes).HasColumnType("jsonb");
            entry.HasIndex(e => new { e.TenantId, e.EntityType, e.EntityId, e.CreatedAt });
            entry.HasIndex(e => new { e.TenantId, e.CreatedAt, e.Id });
        });
        return modelBuilder;
    }

    /// <summary>
    /// Makes the audit log append-only in the database itself: updates and deletes fail whoever runs them, the
    /// service's own role included. Call it from the migration that creates the table.
    /// </summary>
    public static void MakeAuditLogAppendOnly(this MigrationBuilder migrationBuilder) => migrationBuilder.Sql($"""
        CREATE FUNCTION audit_entries_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the audit log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
        END $$;
        CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {Table}
            FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_are_append_only();
        """);
}
