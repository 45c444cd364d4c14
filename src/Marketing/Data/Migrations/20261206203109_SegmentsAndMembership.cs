using System;
using System.Collections.Generic;
using CrmPlatform.Persistence.Audit;
using CrmPlatform.Persistence.Gdpr;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmPlatform.Marketing.Data.Migrations
{
    /// <inheritdoc />
    public partial class SegmentsAndMembership : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "country",
                table: "directory_contacts",
                type: "character varying(2)",
                maxLength: 2,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "custom_fields",
                table: "directory_contacts",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "industry",
                table: "directory_contacts",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "lifecycle_stage",
                table: "directory_contacts",
                type: "character varying(40)",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<List<string>>(
                name: "tags",
                table: "directory_contacts",
                type: "text[]",
                nullable: false,
                defaultValueSql: "'{}'::text[]");

            migrationBuilder.CreateTable(
                name: "audit_entries",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    entity_type = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    entity_id = table.Column<Guid>(type: "uuid", nullable: false),
                    action = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    actor_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    changes = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_entries", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "contact_behaviours",
                columns: table => new
                {
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    contact_id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: false),
                    ref_id = table.Column<Guid>(type: "uuid", nullable: false),
                    occurred_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    active = table.Column<bool>(type: "boolean", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_contact_behaviours", x => new { x.tenant_id, x.contact_id, x.kind, x.ref_id });
                });

            migrationBuilder.CreateTable(
                name: "segments",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    description = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    rules = table.Column<string>(type: "jsonb", nullable: true),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    created_by = table.Column<string>(type: "text", nullable: true),
                    updated_by = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_segments", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "segment_memberships",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    segment_id = table.Column<Guid>(type: "uuid", nullable: false),
                    person_id = table.Column<Guid>(type: "uuid", nullable: false),
                    entered_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    left_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_segment_memberships", x => x.id);
                    table.ForeignKey(
                        name: "fk_segment_memberships_segments_segment_id",
                        column: x => x.segment_id,
                        principalTable: "segments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_directory_contacts_organization_id",
                table: "directory_contacts",
                column: "organization_id");

            migrationBuilder.CreateIndex(
                name: "ix_audit_entries_tenant_id_created_at_id",
                table: "audit_entries",
                columns: new[] { "tenant_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_entries_tenant_id_entity_type_entity_id_created_at",
                table: "audit_entries",
                columns: new[] { "tenant_id", "entity_type", "entity_id", "created_at" });

            // The audit log's guards, as in every service that keeps one: append-only, and the redaction and purge
            // functions GDPR erasure (audit_entries_redact) and audit retention call.
            migrationBuilder.MakeAuditLogAppendOnly();
            migrationBuilder.MakeAuditLogRedactableAndPurgeable();

            migrationBuilder.CreateIndex(
                name: "ix_segment_memberships_current",
                table: "segment_memberships",
                columns: new[] { "segment_id", "person_id" },
                unique: true,
                filter: "left_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_segment_memberships_segment_id_entered_at_id",
                table: "segment_memberships",
                columns: new[] { "segment_id", "entered_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_segment_memberships_tenant_id_person_id",
                table: "segment_memberships",
                columns: new[] { "tenant_id", "person_id" });

            migrationBuilder.CreateIndex(
                name: "ix_segments_tenant_id_created_at_id",
                table: "segments",
                columns: new[] { "tenant_id", "created_at", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropAuditLogRedactionAndPurge();
            migrationBuilder.Sql("DROP TRIGGER audit_entries_append_only ON audit_entries; DROP FUNCTION audit_entries_are_append_only();");
            migrationBuilder.DropTable(
                name: "audit_entries");

            migrationBuilder.DropTable(
                name: "contact_behaviours");

            migrationBuilder.DropTable(
                name: "segment_memberships");

            migrationBuilder.DropTable(
                name: "segments");

            migrationBuilder.DropIndex(
                name: "ix_directory_contacts_organization_id",
                table: "directory_contacts");

            migrationBuilder.DropColumn(
                name: "country",
                table: "directory_contacts");

            migrationBuilder.DropColumn(
                name: "custom_fields",
                table: "directory_contacts");

            migrationBuilder.DropColumn(
                name: "industry",
                table: "directory_contacts");

            migrationBuilder.DropColumn(
                name: "lifecycle_stage",
                table: "directory_contacts");

            migrationBuilder.DropColumn(
                name: "tags",
                table: "directory_contacts");
        }
    }
}
