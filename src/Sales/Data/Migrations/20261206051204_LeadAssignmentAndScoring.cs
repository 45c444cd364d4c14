using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmPlatform.Sales.Data.Migrations
{
    /// <inheritdoc />
    public partial class LeadAssignmentAndScoring : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterTable(
                name: "leads")
                .Annotation("Npgsql:StorageParameter:fillfactor", 80);

            migrationBuilder.AddColumn<Guid>(
                name: "assigned_by_rule_id",
                table: "leads",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "assignment_reason",
                table: "leads",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "conversion_probability",
                table: "leads",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "engagement_score",
                table: "leads",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "fit_score",
                table: "leads",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "score",
                table: "leads",
                type: "double precision",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "score_contributions",
                table: "leads",
                type: "jsonb",
                nullable: false,
                defaultValueSql: "'[]'::jsonb");

            migrationBuilder.AddColumn<string>(
                name: "score_method",
                table: "leads",
                type: "character varying(10)",
                maxLength: 10,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "score_model_id",
                table: "leads",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "scored_at",
                table: "leads",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "assignment_rules",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    position = table.Column<int>(type: "integer", nullable: false),
                    is_active = table.Column<bool>(type: "boolean", nullable: false),
                    countries = table.Column<List<string>>(type: "text[]", nullable: false),
                    regions = table.Column<List<string>>(type: "text[]", nullable: false),
                    postal_code_prefixes = table.Column<List<string>>(type: "text[]", nullable: false),
                    industries = table.Column<List<string>>(type: "text[]", nullable: false),
                    product_interests = table.Column<List<string>>(type: "text[]", nullable: false),
                    sources = table.Column<List<string>>(type: "text[]", nullable: false),
                    target_team_id = table.Column<Guid>(type: "uuid", nullable: true),
                    target_user_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    method = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    round_robin_turns = table.Column<long>(type: "bigint", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    created_by = table.Column<string>(type: "text", nullable: true),
                    updated_by = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_assignment_rules", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "lead_assignments",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    lead_id = table.Column<Guid>(type: "uuid", nullable: false),
                    rule_id = table.Column<Guid>(type: "uuid", nullable: true),
                    previous_owner_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    owner_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    reason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    trigger = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    assigned_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    assigned_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_lead_assignments", x => x.id);
                    table.ForeignKey(
                        name: "fk_lead_assignments_leads_lead_id",
                        column: x => x.lead_id,
                        principalTable: "leads",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "lead_engagements",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    lead_id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    occurred_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    source_id = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_lead_engagements", x => x.id);
                    table.ForeignKey(
                        name: "fk_lead_engagements_leads_lead_id",
                        column: x => x.lead_id,
                        principalTable: "leads",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "lead_scoring_models",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    trained_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    trained_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    model_bytes = table.Column<byte[]>(type: "bytea", nullable: false),
                    features = table.Column<string>(type: "jsonb", nullable: false),
                    weights = table.Column<float[]>(type: "real[]", nullable: false),
                    bias = table.Column<float>(type: "real", nullable: false),
                    training_leads = table.Column<int>(type: "integer", nullable: false),
                    held_out_leads = table.Column<int>(type: "integer", nullable: false),
                    converted = table.Column<int>(type: "integer", nullable: false),
                    disqualified = table.Column<int>(type: "integer", nullable: false),
                    auc = table.Column<double>(type: "double precision", nullable: false),
                    accuracy = table.Column<double>(type: "double precision", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_lead_scoring_models", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "scoring_schedules",
                columns: table => new
                {
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    next_run_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    last_run_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_scoring_schedules", x => x.tenant_id);
                });

            migrationBuilder.CreateTable(
                name: "scoring_settings",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    weights = table.Column<string>(type: "jsonb", nullable: false),
                    min_outcomes = table.Column<int>(type: "integer", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    created_by = table.Column<string>(type: "text", nullable: true),
                    updated_by = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_scoring_settings", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_assignment_rules_tenant_id_created_at_id",
                table: "assignment_rules",
                columns: new[] { "tenant_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_assignment_rules_tenant_id_position",
                table: "assignment_rules",
                columns: new[] { "tenant_id", "position" });

            migrationBuilder.CreateIndex(
                name: "ix_lead_assignments_lead_id_assigned_at",
                table: "lead_assignments",
                columns: new[] { "lead_id", "assigned_at" });

            migrationBuilder.CreateIndex(
                name: "ix_lead_engagements_lead_id_source_id",
                table: "lead_engagements",
                columns: new[] { "lead_id", "source_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_lead_engagements_tenant_id",
                table: "lead_engagements",
                column: "tenant_id");

            migrationBuilder.CreateIndex(
                name: "ix_lead_scoring_models_tenant_id_trained_at",
                table: "lead_scoring_models",
                columns: new[] { "tenant_id", "trained_at" });

            migrationBuilder.CreateIndex(
                name: "ix_scoring_schedules_next_run_at",
                table: "scoring_schedules",
                column: "next_run_at");

            migrationBuilder.CreateIndex(
                name: "ix_scoring_settings_tenant_id",
                table: "scoring_settings",
                column: "tenant_id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "assignment_rules");

            migrationBuilder.DropTable(
                name: "lead_assignments");

            migrationBuilder.DropTable(
                name: "lead_engagements");

            migrationBuilder.DropTable(
                name: "lead_scoring_models");

            migrationBuilder.DropTable(
                name: "scoring_schedules");

            migrationBuilder.DropTable(
                name: "scoring_settings");

            migrationBuilder.DropColumn(
                name: "assigned_by_rule_id",
                table: "leads");

            migrationBuilder.DropColumn(
                name: "assignment_reason",
                table: "leads");

            migrationBuilder.DropColumn(
                name: "conversion_probability",
                table: "leads");

            migrationBuilder.DropColumn(
                name: "engagement_score",
                table: "leads");

            migrationBuilder.DropColumn(
                name: "fit_score",
                table: "leads");

            migrationBuilder.DropColumn(
                name: "score",
                table: "leads");

            migrationBuilder.DropColumn(
                name: "score_contributions",
                table: "leads");

            migrationBuilder.DropColumn(
                name: "score_method",
                table: "leads");

            migrationBuilder.DropColumn(
                name: "score_model_id",
                table: "leads");

            migrationBuilder.DropColumn(
                name: "scored_at",
                table: "leads");

            migrationBuilder.AlterTable(
                name: "leads")
                .OldAnnotation("Npgsql:StorageParameter:fillfactor", 80);
        }
    }
}
