using System;
using CrmPlatform.Contacts.Gdpr;
using CrmPlatform.Persistence.Gdpr;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmPlatform.Contacts.Data.Migrations
{
    /// <inheritdoc />
    public partial class Gdpr : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "direct_marketing_objection_at",
                table: "people",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "erased_at",
                table: "people",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "processing_restricted_at",
                table: "people",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "gdpr_requests",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    person_id = table.Column<Guid>(type: "uuid", nullable: false),
                    type = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: false),
                    status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    requested_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    expected_services = table.Column<string[]>(type: "text[]", nullable: false),
                    completed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_gdpr_requests", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "retention_policies",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    anonymize_inactive_after_months = table.Column<int>(type: "integer", nullable: true),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    created_by = table.Column<string>(type: "text", nullable: true),
                    updated_by = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_retention_policies", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "retention_runs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    triggered_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    inactive_after_months = table.Column<int>(type: "integer", nullable: false),
                    cutoff = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    anonymized_count = table.Column<int>(type: "integer", nullable: false),
                    anonymized = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_retention_runs", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "gdpr_service_replies",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    request_id = table.Column<Guid>(type: "uuid", nullable: false),
                    service = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    content = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_gdpr_service_replies", x => x.id);
                    table.ForeignKey(
                        name: "fk_gdpr_service_replies_gdpr_requests_request_id",
                        column: x => x.request_id,
                        principalTable: "gdpr_requests",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_gdpr_requests_tenant_id_created_at_id",
                table: "gdpr_requests",
                columns: new[] { "tenant_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_gdpr_requests_tenant_id_person_id",
                table: "gdpr_requests",
                columns: new[] { "tenant_id", "person_id" });

            migrationBuilder.CreateIndex(
                name: "ix_gdpr_service_replies_request_id_service",
                table: "gdpr_service_replies",
                columns: new[] { "request_id", "service" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_retention_policies_tenant_id",
                table: "retention_policies",
                column: "tenant_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_retention_runs_tenant_id_created_at_id",
                table: "retention_runs",
                columns: new[] { "tenant_id", "created_at", "id" });

            // Append-only stays; erasure may redact, a retention purge may remove and says so (see AuditTrail, GdprModel).
            migrationBuilder.MakeAuditLogRedactableAndPurgeable();
            migrationBuilder.MakeConsentHistoryRedactable();
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropConsentHistoryRedaction();
            migrationBuilder.DropAuditLogRedactionAndPurge();

            migrationBuilder.DropTable(
                name: "gdpr_service_replies");

            migrationBuilder.DropTable(
                name: "retention_policies");

            migrationBuilder.DropTable(
                name: "retention_runs");

            migrationBuilder.DropTable(
                name: "gdpr_requests");

            migrationBuilder.DropColumn(
                name: "direct_marketing_objection_at",
                table: "people");

            migrationBuilder.DropColumn(
                name: "erased_at",
                table: "people");

            migrationBuilder.DropColumn(
                name: "processing_restricted_at",
                table: "people");
        }
    }
}
