using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmPlatform.Marketing.Data.Migrations
{
    /// <inheritdoc />
    public partial class JourneysAndAttribution : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "owner_id",
                table: "directory_contacts",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "attribution_credits",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    opportunity_id = table.Column<Guid>(type: "uuid", nullable: false),
                    opportunity_version = table.Column<int>(type: "integer", nullable: false),
                    model = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    touchpoint_id = table.Column<Guid>(type: "uuid", nullable: false),
                    campaign_id = table.Column<Guid>(type: "uuid", nullable: true),
                    channel = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    amount = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    won_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_attribution_credits", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "attribution_touchpoints",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    person_id = table.Column<Guid>(type: "uuid", nullable: true),
                    email = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: true),
                    campaign_id = table.Column<Guid>(type: "uuid", nullable: true),
                    channel = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    kind = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: false),
                    occurred_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    source_event_id = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_attribution_touchpoints", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "journeys",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    description = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    definition = table.Column<string>(type: "jsonb", nullable: false),
                    definition_version = table.Column<int>(type: "integer", nullable: false),
                    trigger_kind = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: false),
                    trigger_ref_id = table.Column<Guid>(type: "uuid", nullable: true),
                    trigger_event = table.Column<string>(type: "character varying(60)", maxLength: 60, nullable: true),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    created_by = table.Column<string>(type: "text", nullable: true),
                    updated_by = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_journeys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "journey_enrolments",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    journey_id = table.Column<Guid>(type: "uuid", nullable: false),
                    journey_version = table.Column<int>(type: "integer", nullable: false),
                    person_id = table.Column<Guid>(type: "uuid", nullable: false),
                    status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    current_step = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    due_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    entered_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    finished_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    exit_reason = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    trigger_event_id = table.Column<Guid>(type: "uuid", nullable: false),
                    steps_executed = table.Column<int>(type: "integer", nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    last_error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_journey_enrolments", x => x.id);
                    table.ForeignKey(
                        name: "fk_journey_enrolments_journeys_journey_id",
                        column: x => x.journey_id,
                        principalTable: "journeys",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "journey_versions",
                columns: table => new
                {
                    journey_id = table.Column<Guid>(type: "uuid", nullable: false),
                    number = table.Column<int>(type: "integer", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    definition = table.Column<string>(type: "jsonb", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_journey_versions", x => new { x.journey_id, x.number });
                    table.ForeignKey(
                        name: "fk_journey_versions_journeys_journey_id",
                        column: x => x.journey_id,
                        principalTable: "journeys",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "journey_step_executions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    enrolment_id = table.Column<Guid>(type: "uuid", nullable: false),
                    number = table.Column<int>(type: "integer", nullable: false),
                    step_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    kind = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: false),
                    outcome = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: false),
                    detail = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    executed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_journey_step_executions", x => x.id);
                    table.ForeignKey(
                        name: "fk_journey_step_executions_journey_enrolments_enrolment_id",
                        column: x => x.enrolment_id,
                        principalTable: "journey_enrolments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_attribution_credits_tenant_id_model_won_at",
                table: "attribution_credits",
                columns: new[] { "tenant_id", "model", "won_at" });

            migrationBuilder.CreateIndex(
                name: "ix_attribution_credits_tenant_id_opportunity_id_model_touchpoi",
                table: "attribution_credits",
                columns: new[] { "tenant_id", "opportunity_id", "model", "touchpoint_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_attribution_touchpoints_tenant_id_email_occurred_at",
                table: "attribution_touchpoints",
                columns: new[] { "tenant_id", "email", "occurred_at" });

            migrationBuilder.CreateIndex(
                name: "ix_attribution_touchpoints_tenant_id_person_id_occurred_at",
                table: "attribution_touchpoints",
                columns: new[] { "tenant_id", "person_id", "occurred_at" });

            migrationBuilder.CreateIndex(
                name: "ix_attribution_touchpoints_tenant_id_source_event_id",
                table: "attribution_touchpoints",
                columns: new[] { "tenant_id", "source_event_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_journey_enrolments_current",
                table: "journey_enrolments",
                columns: new[] { "journey_id", "person_id" },
                unique: true,
                filter: "status = 'active'");

            migrationBuilder.CreateIndex(
                name: "ix_journey_enrolments_due",
                table: "journey_enrolments",
                column: "due_at",
                filter: "status = 'active'");

            migrationBuilder.CreateIndex(
                name: "ix_journey_enrolments_journey_id_entered_at_id",
                table: "journey_enrolments",
                columns: new[] { "journey_id", "entered_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_journey_enrolments_tenant_id_person_id",
                table: "journey_enrolments",
                columns: new[] { "tenant_id", "person_id" });

            migrationBuilder.CreateIndex(
                name: "ix_journey_step_executions_enrolment_id_number",
                table: "journey_step_executions",
                columns: new[] { "enrolment_id", "number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_journeys_tenant_id_created_at_id",
                table: "journeys",
                columns: new[] { "tenant_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_journeys_tenant_id_trigger_kind_status",
                table: "journeys",
                columns: new[] { "tenant_id", "trigger_kind", "status" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "attribution_credits");

            migrationBuilder.DropTable(
                name: "attribution_touchpoints");

            migrationBuilder.DropTable(
                name: "journey_step_executions");

            migrationBuilder.DropTable(
                name: "journey_versions");

            migrationBuilder.DropTable(
                name: "journey_enrolments");

            migrationBuilder.DropTable(
                name: "journeys");

            migrationBuilder.DropColumn(
                name: "owner_id",
                table: "directory_contacts");
        }
    }
}
