using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmPlatform.Service.Data.Migrations
{
    /// <inheritdoc />
    public partial class SlaEngine : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "business_calendars",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    time_zone = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    is_default = table.Column<bool>(type: "boolean", nullable: false),
                    working_hours = table.Column<string>(type: "jsonb", nullable: false, defaultValueSql: "'[]'::jsonb"),
                    holidays = table.Column<string>(type: "jsonb", nullable: false, defaultValueSql: "'[]'::jsonb"),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    created_by = table.Column<string>(type: "text", nullable: true),
                    updated_by = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_business_calendars", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "ticket_slas",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    priority = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    organization_id = table.Column<Guid>(type: "uuid", nullable: true),
                    policy_id = table.Column<Guid>(type: "uuid", nullable: false),
                    contract_id = table.Column<Guid>(type: "uuid", nullable: true),
                    calendar_id = table.Column<Guid>(type: "uuid", nullable: true),
                    warning_percent = table.Column<int>(type: "integer", nullable: false),
                    group_id = table.Column<Guid>(type: "uuid", nullable: true),
                    assignee_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    running_since = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    paused_since = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    first_response_target_seconds = table.Column<int>(type: "integer", nullable: false),
                    first_response_used_seconds = table.Column<long>(type: "bigint", nullable: false),
                    first_response_due_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    first_response_warn_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    first_response_met_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    first_response_warned_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    first_response_breached_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    resolution_target_seconds = table.Column<int>(type: "integer", nullable: false),
                    resolution_used_seconds = table.Column<long>(type: "bigint", nullable: false),
                    resolution_due_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    resolution_warn_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    resolution_met_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    resolution_warned_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    resolution_breached_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ticket_slas", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "sla_policies",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    is_default = table.Column<bool>(type: "boolean", nullable: false),
                    calendar_id = table.Column<Guid>(type: "uuid", nullable: true),
                    warning_percent = table.Column<int>(type: "integer", nullable: false),
                    targets = table.Column<string>(type: "jsonb", nullable: false, defaultValueSql: "'[]'::jsonb"),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    created_by = table.Column<string>(type: "text", nullable: true),
                    updated_by = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sla_policies", x => x.id);
                    table.ForeignKey(
                        name: "fk_sla_policies_business_calendars_calendar_id",
                        column: x => x.calendar_id,
                        principalTable: "business_calendars",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "service_contracts",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    organization_id = table.Column<Guid>(type: "uuid", nullable: false),
                    policy_id = table.Column<Guid>(type: "uuid", nullable: false),
                    valid_from = table.Column<DateOnly>(type: "date", nullable: false),
                    valid_to = table.Column<DateOnly>(type: "date", nullable: true),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    created_by = table.Column<string>(type: "text", nullable: true),
                    updated_by = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_service_contracts", x => x.id);
                    table.ForeignKey(
                        name: "fk_service_contracts_sla_policies_policy_id",
                        column: x => x.policy_id,
                        principalTable: "sla_policies",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_business_calendars_one_default",
                table: "business_calendars",
                column: "tenant_id",
                unique: true,
                filter: "is_default");

            migrationBuilder.CreateIndex(
                name: "ix_business_calendars_tenant_id_name",
                table: "business_calendars",
                columns: new[] { "tenant_id", "name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_service_contracts_policy_id",
                table: "service_contracts",
                column: "policy_id");

            migrationBuilder.CreateIndex(
                name: "ix_service_contracts_tenant_id_organization_id_valid_from",
                table: "service_contracts",
                columns: new[] { "tenant_id", "organization_id", "valid_from" });

            migrationBuilder.CreateIndex(
                name: "ix_sla_policies_calendar_id",
                table: "sla_policies",
                column: "calendar_id");

            migrationBuilder.CreateIndex(
                name: "ix_sla_policies_one_default",
                table: "sla_policies",
                column: "tenant_id",
                unique: true,
                filter: "is_default");

            migrationBuilder.CreateIndex(
                name: "ix_sla_policies_tenant_id_name",
                table: "sla_policies",
                columns: new[] { "tenant_id", "name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_ticket_slas_first_response_to_breach",
                table: "ticket_slas",
                column: "first_response_due_at",
                filter: "first_response_breached_at IS NULL AND first_response_met_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_ticket_slas_first_response_to_warn",
                table: "ticket_slas",
                column: "first_response_warn_at",
                filter: "first_response_warned_at IS NULL AND first_response_breached_at IS NULL AND first_response_met_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_ticket_slas_resolution_to_breach",
                table: "ticket_slas",
                column: "resolution_due_at",
                filter: "resolution_breached_at IS NULL AND resolution_met_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_ticket_slas_resolution_to_warn",
                table: "ticket_slas",
                column: "resolution_warn_at",
                filter: "resolution_warned_at IS NULL AND resolution_breached_at IS NULL AND resolution_met_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_ticket_slas_tenant_id",
                table: "ticket_slas",
                column: "tenant_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "service_contracts");

            migrationBuilder.DropTable(
                name: "ticket_slas");

            migrationBuilder.DropTable(
                name: "sla_policies");

            migrationBuilder.DropTable(
                name: "business_calendars");
        }
    }
}
