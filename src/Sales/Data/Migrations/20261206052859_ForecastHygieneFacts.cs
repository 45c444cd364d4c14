using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmPlatform.Sales.Data.Migrations
{
    /// <inheritdoc />
    public partial class ForecastHygieneFacts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_opportunities_open_by_close_date",
                table: "opportunities");

            migrationBuilder.AddColumn<int>(
                name: "close_date_pushes",
                table: "opportunities",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<bool>(
                name: "has_current_commitment",
                table: "opportunities",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTime>(
                name: "last_activity_at",
                table: "opportunities",
                type: "timestamp with time zone",
                nullable: true);

            // The facts follow their sources in the database itself, in the statement that changes a source, so no code
            // path (the API, merges, GDPR erasure, a bulk load) can leave them behind. Statement-level triggers with
            // transition tables: a bulk insert or delete recomputes each touched opportunity once.
            migrationBuilder.Sql(Triggers);
            migrationBuilder.Sql("""
                UPDATE opportunities o SET last_activity_at = a.at
                FROM (SELECT opportunity_id, max(occurred_at) AS at FROM activities WHERE opportunity_id IS NOT NULL GROUP BY 1) a
                WHERE a.opportunity_id = o.id;
                UPDATE opportunities o SET close_date_pushes = p.n
                FROM (SELECT opportunity_id, count(*)::int AS n FROM close_date_changes WHERE pushed GROUP BY 1) p
                WHERE p.opportunity_id = o.id;
                UPDATE opportunities o SET has_current_commitment = true
                WHERE EXISTS (SELECT 1 FROM customer_commitments k WHERE k.opportunity_id = o.id AND k.status = 'current');
                """);

            migrationBuilder.CreateIndex(
                name: "ix_opportunities_open_by_close_date",
                table: "opportunities",
                columns: new[] { "tenant_id", "expected_close_date" },
                filter: "closed_at IS NULL")
                .Annotation("Npgsql:IndexInclude", new[] { "owner_id", "currency", "amount", "pipeline_id", "stage", "stage_entered_at", "created_at", "last_activity_at", "close_date_pushes", "has_current_commitment" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER activities_hygiene_insert ON activities; DROP TRIGGER activities_hygiene_update ON activities;
                DROP TRIGGER activities_hygiene_delete ON activities; DROP FUNCTION opportunities_refresh_last_activity();
                DROP TRIGGER close_date_changes_hygiene_insert ON close_date_changes; DROP TRIGGER close_date_changes_hygiene_update ON close_date_changes;
                DROP TRIGGER close_date_changes_hygiene_delete ON close_date_changes; DROP FUNCTION opportunities_refresh_close_date_pushes();
                DROP TRIGGER customer_commitments_hygiene_insert ON customer_commitments; DROP TRIGGER customer_commitments_hygiene_update ON customer_commitments;
                DROP TRIGGER customer_commitments_hygiene_delete ON customer_commitments; DROP FUNCTION opportunities_refresh_current_commitment();
                """);

            migrationBuilder.DropIndex(
                name: "ix_opportunities_open_by_close_date",
                table: "opportunities");

            migrationBuilder.DropColumn(
                name: "close_date_pushes",
                table: "opportunities");

            migrationBuilder.DropColumn(
                name: "has_current_commitment",
                table: "opportunities");

            migrationBuilder.DropColumn(
                name: "last_activity_at",
                table: "opportunities");

            migrationBuilder.CreateIndex(
                name: "ix_opportunities_open_by_close_date",
                table: "opportunities",
                columns: new[] { "tenant_id", "expected_close_date" },
                filter: "closed_at IS NULL")
                .Annotation("Npgsql:IndexInclude", new[] { "owner_id", "currency", "amount", "pipeline_id", "stage", "stage_entered_at", "created_at" });
        }

        /// <summary>
        /// One function per fact, recomputing it (not adjusting it) for every opportunity the statement touched, old and
        /// new side: an activity moved from one opportunity to another refreshes both.
        /// </summary>
        private static string Triggers => string.Concat(
            Refresh("opportunities_refresh_last_activity", "activities",
                "last_activity_at = (SELECT max(a.occurred_at) FROM activities a WHERE a.opportunity_id = o.id)"),
            Refresh("opportunities_refresh_close_date_pushes", "close_date_changes",
                "close_date_pushes = (SELECT count(*) FROM close_date_changes d WHERE d.opportunity_id = o.id AND d.pushed)"),
            Refresh("opportunities_refresh_current_commitment", "customer_commitments",
                "has_current_commitment = EXISTS (SELECT 1 FROM customer_commitments k WHERE k.opportunity_id = o.id AND k.status = 'current')"));

        private static string Refresh(string function, string table, string assignment) => $$"""
            CREATE FUNCTION {{function}}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP IN ('INSERT', 'UPDATE') THEN
                    UPDATE opportunities o SET {{assignment}}
                    WHERE o.id IN (SELECT DISTINCT opportunity_id FROM new_rows WHERE opportunity_id IS NOT NULL);
                END IF;
                IF TG_OP IN ('DELETE', 'UPDATE') THEN
                    UPDATE opportunities o SET {{assignment}}
                    WHERE o.id IN (SELECT DISTINCT opportunity_id FROM old_rows WHERE opportunity_id IS NOT NULL);
                END IF;
                RETURN NULL;
            END $$;
            CREATE TRIGGER {{table}}_hygiene_insert AFTER INSERT ON {{table}}
                REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {{function}}();
            CREATE TRIGGER {{table}}_hygiene_update AFTER UPDATE ON {{table}}
                REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {{function}}();
            CREATE TRIGGER {{table}}_hygiene_delete AFTER DELETE ON {{table}}
                REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {{function}}();

            """;
    }
}
