using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmPlatform.Sales.Data.Migrations
{
    /// <inheritdoc />
    public partial class Pipelines : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "closed_at",
                table: "opportunities",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "competitor",
                table: "opportunities",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "lost_reason",
                table: "opportunities",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "pipeline_id",
                table: "opportunities",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            migrationBuilder.AddColumn<DateTime>(
                name: "stage_entered_at",
                table: "opportunities",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.CreateTable(
                name: "opportunity_stage_changes",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    opportunity_id = table.Column<Guid>(type: "uuid", nullable: false),
                    from_pipeline_id = table.Column<Guid>(type: "uuid", nullable: true),
                    from_stage = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    pipeline_id = table.Column<Guid>(type: "uuid", nullable: false),
                    stage = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    changed_by = table.Column<string>(type: "text", nullable: false),
                    seconds_in_previous_stage = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_opportunity_stage_changes", x => x.id);
                    table.ForeignKey(
                        name: "fk_opportunity_stage_changes_opportunities_opportunity_id",
                        column: x => x.opportunity_id,
                        principalTable: "opportunities",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "pipelines",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    is_default = table.Column<bool>(type: "boolean", nullable: false),
                    stages = table.Column<string>(type: "jsonb", nullable: false, defaultValueSql: "'[]'::jsonb"),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    created_by = table.Column<string>(type: "text", nullable: true),
                    updated_by = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pipelines", x => x.id);
                });

            // Opportunities written before pipelines keep their stage keys: each tenant that has any gets the default
            // pipeline now (Pipeline.SeededStages, written out here so that this migration never changes with the code),
            // and its opportunities go into it, in their stage since they last changed, closed then if the stage is
            // closed-won or closed-lost. Tenants without opportunities are seeded on first use (TenantPipelines): a
            // migration cannot know the tenants Identity will create.
            migrationBuilder.Sql("""
                INSERT INTO pipelines (id, tenant_id, name, is_default, stages, created_at, updated_at, version, created_by, updated_by)
                SELECT gen_random_uuid(), tenant_id, 'Sales pipeline', true, '[
                    {"key":"prospecting","name":"Prospecting","probability":10,"kind":"open","requiredFields":[]},
                    {"key":"qualification","name":"Qualification","probability":20,"kind":"open","requiredFields":[]},
                    {"key":"proposal","name":"Proposal","probability":50,"kind":"open","requiredFields":[]},
                    {"key":"negotiation","name":"Negotiation","probability":75,"kind":"open","requiredFields":[]},
                    {"key":"closed-won","name":"Closed won","probability":100,"kind":"won","requiredFields":[]},
                    {"key":"closed-lost","name":"Closed lost","probability":0,"kind":"lost","requiredFields":[]}
                ]'::jsonb, now(), now(), 1, 'system', 'system'
                FROM opportunities
                GROUP BY tenant_id;

                UPDATE opportunities o
                SET pipeline_id = p.id,
                    stage_entered_at = o.updated_at,
                    closed_at = CASE WHEN o.stage IN ('closed-won', 'closed-lost') THEN o.updated_at END
                FROM pipelines p
                WHERE p.tenant_id = o.tenant_id AND p.is_default;
                """);

            migrationBuilder.CreateIndex(
                name: "ix_opportunities_open_by_stage",
                table: "opportunities",
                columns: new[] { "tenant_id", "pipeline_id", "stage", "currency" },
                filter: "closed_at IS NULL")
                .Annotation("Npgsql:IndexInclude", new[] { "amount", "owner_id" });

            migrationBuilder.CreateIndex(
                name: "ix_opportunities_pipeline_id",
                table: "opportunities",
                column: "pipeline_id");

            migrationBuilder.CreateIndex(
                name: "ix_opportunity_stage_changes_opportunity_id_created_at_id",
                table: "opportunity_stage_changes",
                columns: new[] { "opportunity_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_pipelines_one_default",
                table: "pipelines",
                column: "tenant_id",
                unique: true,
                filter: "is_default");

            migrationBuilder.CreateIndex(
                name: "ix_pipelines_tenant_id_name",
                table: "pipelines",
                columns: new[] { "tenant_id", "name" },
                unique: true);

            migrationBuilder.AddForeignKey(
                name: "fk_opportunities_pipelines_pipeline_id",
                table: "opportunities",
                column: "pipeline_id",
                principalTable: "pipelines",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_opportunities_pipelines_pipeline_id",
                table: "opportunities");

            migrationBuilder.DropTable(
                name: "opportunity_stage_changes");

            migrationBuilder.DropTable(
                name: "pipelines");

            migrationBuilder.DropIndex(
                name: "ix_opportunities_open_by_stage",
                table: "opportunities");

            migrationBuilder.DropIndex(
                name: "ix_opportunities_pipeline_id",
                table: "opportunities");

            migrationBuilder.DropColumn(
                name: "closed_at",
                table: "opportunities");

            migrationBuilder.DropColumn(
                name: "competitor",
                table: "opportunities");

            migrationBuilder.DropColumn(
                name: "lost_reason",
                table: "opportunities");

            migrationBuilder.DropColumn(
                name: "pipeline_id",
                table: "opportunities");

            migrationBuilder.DropColumn(
                name: "stage_entered_at",
                table: "opportunities");
        }
    }
}
