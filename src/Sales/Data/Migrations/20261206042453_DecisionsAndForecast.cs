using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmPlatform.Sales.Data.Migrations
{
    /// <inheritdoc />
    public partial class DecisionsAndForecast : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "buying_centre_members",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    contact_id = table.Column<Guid>(type: "uuid", nullable: false),
                    role = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    influence = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    attitude = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    notes = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    created_by = table.Column<string>(type: "text", nullable: true),
                    updated_by = table.Column<string>(type: "text", nullable: true),
                    opportunity_id = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_buying_centre_members", x => x.id);
                    table.ForeignKey(
                        name: "fk_buying_centre_members_opportunities_opportunity_id",
                        column: x => x.opportunity_id,
                        principalTable: "opportunities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "close_date_changes",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    opportunity_id = table.Column<Guid>(type: "uuid", nullable: false),
                    from_date = table.Column<DateOnly>(type: "date", nullable: true),
                    to_date = table.Column<DateOnly>(type: "date", nullable: true),
                    pushed = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    changed_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_close_date_changes", x => x.id);
                    table.ForeignKey(
                        name: "fk_close_date_changes_opportunities_opportunity_id",
                        column: x => x.opportunity_id,
                        principalTable: "opportunities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "customer_commitments",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    description = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    due_by = table.Column<DateOnly>(type: "date", nullable: false),
                    contact_id = table.Column<Guid>(type: "uuid", nullable: true),
                    status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    resolved_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    created_by = table.Column<string>(type: "text", nullable: true),
                    updated_by = table.Column<string>(type: "text", nullable: true),
                    opportunity_id = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_customer_commitments", x => x.id);
                    table.ForeignKey(
                        name: "fk_customer_commitments_opportunities_opportunity_id",
                        column: x => x.opportunity_id,
                        principalTable: "opportunities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "deal_decisions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    outcome = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    decided_by_contact_ids = table.Column<List<Guid>>(type: "uuid[]", nullable: false),
                    reason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    alternative_chosen = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    decided_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    created_by = table.Column<string>(type: "text", nullable: true),
                    updated_by = table.Column<string>(type: "text", nullable: true),
                    opportunity_id = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_deal_decisions", x => x.id);
                    table.ForeignKey(
                        name: "fk_deal_decisions_opportunities_opportunity_id",
                        column: x => x.opportunity_id,
                        principalTable: "opportunities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "deal_risks",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    description = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    raised_by_contact_id = table.Column<Guid>(type: "uuid", nullable: true),
                    resolution = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    created_by = table.Column<string>(type: "text", nullable: true),
                    updated_by = table.Column<string>(type: "text", nullable: true),
                    opportunity_id = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_deal_risks", x => x.id);
                    table.ForeignKey(
                        name: "fk_deal_risks_opportunities_opportunity_id",
                        column: x => x.opportunity_id,
                        principalTable: "opportunities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "decision_criteria",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    importance = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    standing = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    notes = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    created_by = table.Column<string>(type: "text", nullable: true),
                    updated_by = table.Column<string>(type: "text", nullable: true),
                    opportunity_id = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_decision_criteria", x => x.id);
                    table.ForeignKey(
                        name: "fk_decision_criteria_opportunities_opportunity_id",
                        column: x => x.opportunity_id,
                        principalTable: "opportunities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "forecast_category_overrides",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    opportunity_id = table.Column<Guid>(type: "uuid", nullable: false),
                    category = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    created_by = table.Column<string>(type: "text", nullable: true),
                    updated_by = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_forecast_category_overrides", x => x.id);
                    table.ForeignKey(
                        name: "fk_forecast_category_overrides_opportunities_opportunity_id",
                        column: x => x.opportunity_id,
                        principalTable: "opportunities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "forecast_snapshots",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    week_of = table.Column<DateOnly>(type: "date", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_forecast_snapshots", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "quotas",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    subject_kind = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    subject_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    period = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    period_start = table.Column<DateOnly>(type: "date", nullable: false),
                    currency = table.Column<string>(type: "character(3)", fixedLength: true, maxLength: 3, nullable: false),
                    amount = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    created_by = table.Column<string>(type: "text", nullable: true),
                    updated_by = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_quotas", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "forecast_snapshot_lines",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    snapshot_id = table.Column<Guid>(type: "uuid", nullable: false),
                    owner_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    month = table.Column<DateOnly>(type: "date", nullable: false),
                    currency = table.Column<string>(type: "character(3)", fixedLength: true, maxLength: 3, nullable: false),
                    category = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    count = table.Column<int>(type: "integer", nullable: false),
                    amount = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false),
                    weighted_amount = table.Column<decimal>(type: "numeric(18,2)", precision: 18, scale: 2, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_forecast_snapshot_lines", x => x.id);
                    table.ForeignKey(
                        name: "fk_forecast_snapshot_lines_forecast_snapshots_snapshot_id",
                        column: x => x.snapshot_id,
                        principalTable: "forecast_snapshots",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_opportunities_closed_by_date",
                table: "opportunities",
                columns: new[] { "tenant_id", "closed_at" },
                filter: "closed_at IS NOT NULL")
                .Annotation("Npgsql:IndexInclude", new[] { "owner_id", "currency", "amount", "pipeline_id", "stage" });

            migrationBuilder.CreateIndex(
                name: "ix_opportunities_open_by_close_date",
                table: "opportunities",
                columns: new[] { "tenant_id", "expected_close_date" },
                filter: "closed_at IS NULL")
                .Annotation("Npgsql:IndexInclude", new[] { "owner_id", "currency", "amount", "pipeline_id", "stage", "stage_entered_at", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_buying_centre_members_contact_id",
                table: "buying_centre_members",
                column: "contact_id");

            migrationBuilder.CreateIndex(
                name: "ix_buying_centre_members_opportunity_id_contact_id",
                table: "buying_centre_members",
                columns: new[] { "opportunity_id", "contact_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_buying_centre_members_tenant_id_created_at_id",
                table: "buying_centre_members",
                columns: new[] { "tenant_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_close_date_changes_opportunity_id_created_at",
                table: "close_date_changes",
                columns: new[] { "opportunity_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_customer_commitments_one_current",
                table: "customer_commitments",
                column: "opportunity_id",
                unique: true,
                filter: "status = 'current'");

            migrationBuilder.CreateIndex(
                name: "ix_customer_commitments_opportunity_id_created_at",
                table: "customer_commitments",
                columns: new[] { "opportunity_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_customer_commitments_tenant_id_created_at_id",
                table: "customer_commitments",
                columns: new[] { "tenant_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_deal_decisions_opportunity_id",
                table: "deal_decisions",
                column: "opportunity_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_deal_decisions_tenant_id_created_at_id",
                table: "deal_decisions",
                columns: new[] { "tenant_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_deal_decisions_tenant_id_outcome_alternative_chosen",
                table: "deal_decisions",
                columns: new[] { "tenant_id", "outcome", "alternative_chosen" });

            migrationBuilder.CreateIndex(
                name: "ix_deal_risks_opportunity_id_created_at",
                table: "deal_risks",
                columns: new[] { "opportunity_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_deal_risks_tenant_id_status_created_at_id",
                table: "deal_risks",
                columns: new[] { "tenant_id", "status", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_decision_criteria_opportunity_id_created_at",
                table: "decision_criteria",
                columns: new[] { "opportunity_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_decision_criteria_tenant_id_created_at_id",
                table: "decision_criteria",
                columns: new[] { "tenant_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_forecast_category_overrides_opportunity_id",
                table: "forecast_category_overrides",
                column: "opportunity_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_forecast_snapshot_lines_snapshot_id",
                table: "forecast_snapshot_lines",
                column: "snapshot_id");

            migrationBuilder.CreateIndex(
                name: "ix_forecast_snapshots_tenant_id_created_at_id",
                table: "forecast_snapshots",
                columns: new[] { "tenant_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_forecast_snapshots_tenant_id_week_of",
                table: "forecast_snapshots",
                columns: new[] { "tenant_id", "week_of" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_quotas_tenant_id_created_at_id",
                table: "quotas",
                columns: new[] { "tenant_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_quotas_tenant_id_subject_kind_subject_id_period_period_star",
                table: "quotas",
                columns: new[] { "tenant_id", "subject_kind", "subject_id", "period", "period_start", "currency" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "buying_centre_members");

            migrationBuilder.DropTable(
                name: "close_date_changes");

            migrationBuilder.DropTable(
                name: "customer_commitments");

            migrationBuilder.DropTable(
                name: "deal_decisions");

            migrationBuilder.DropTable(
                name: "deal_risks");

            migrationBuilder.DropTable(
                name: "decision_criteria");

            migrationBuilder.DropTable(
                name: "forecast_category_overrides");

            migrationBuilder.DropTable(
                name: "forecast_snapshot_lines");

            migrationBuilder.DropTable(
                name: "quotas");

            migrationBuilder.DropTable(
                name: "forecast_snapshots");

            migrationBuilder.DropIndex(
                name: "ix_opportunities_closed_by_date",
                table: "opportunities");

            migrationBuilder.DropIndex(
                name: "ix_opportunities_open_by_close_date",
                table: "opportunities");
        }
    }
}
