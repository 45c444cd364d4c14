using CrmPlatform.Persistence.Audit;
using CrmPlatform.Persistence.Gdpr;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmPlatform.Service.Data.Migrations
{
    /// <summary>
    /// The audit log came to Service (AuditIdempotencyTeams) without the guards Sales and Contacts have: append-only,
    /// and the redaction and purge functions that GDPR erasure (<c>audit_entries_redact</c>) and audit retention call.
    /// </summary>
    public partial class AuditLogAppendOnlyAndRedactable : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.MakeAuditLogAppendOnly();
            migrationBuilder.MakeAuditLogRedactableAndPurgeable();
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropAuditLogRedactionAndPurge();
            migrationBuilder.Sql("DROP TRIGGER audit_entries_append_only ON audit_entries; DROP FUNCTION audit_entries_are_append_only();");
        }
    }
}
