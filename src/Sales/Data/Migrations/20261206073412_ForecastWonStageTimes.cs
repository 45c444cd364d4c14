using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmPlatform.Sales.Data.Migrations
{
    /// <inheritdoc />
    public partial class ForecastWonStageTimes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_opportunity_stage_changes_by_from_stage",
                table: "opportunity_stage_changes",
                columns: new[] { "tenant_id", "from_pipeline_id", "from_stage" })
                .Annotation("Npgsql:IndexInclude", new[] { "opportunity_id", "seconds_in_previous_stage" });
            migrationBuilder.Sql(WonStageTimes);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER pipelines_won_stage_times ON pipelines;
                DROP TRIGGER opportunities_won_stage_times ON opportunities;
                DROP TRIGGER opportunity_stage_changes_won_times_insert ON opportunity_stage_changes;
                DROP TRIGGER opportunity_stage_changes_won_times_update ON opportunity_stage_changes;
                DROP TRIGGER opportunity_stage_changes_won_times_delete ON opportunity_stage_changes;
                DROP FUNCTION won_stage_times_after_pipelines();
                DROP FUNCTION won_stage_times_after_opportunities();
                DROP FUNCTION won_stage_times_after_changes();
                DROP FUNCTION refresh_won_stage_times(uuid, uuid);
                DROP TABLE won_stage_times;
                """);
            migrationBuilder.DropIndex(
                name: "ix_opportunity_stage_changes_by_from_stage",
                table: "opportunity_stage_changes");
        }

        /// <summary>
        /// The 75th percentile of won deals' time in each stage, per pipeline: what "stale" is measured against. Asked
        /// for by every forecast roll-up, it was computed there from every won deal's history, half of the roll-up's
        /// time at 100,000 opportunities; now it is kept here, refreshed in the transaction that changes what it is
        /// made of (a deal won or reopened, its history edited or deleted, a pipeline's won stages redefined) so it is
        /// never stale, and read as a lookup. Triggers rather than application code, because histories change by
        /// paths the Sales code does not all see (merges, erasure, bulk loads). An advisory lock per pipeline makes two
        /// wins in one pipeline refresh one after the other, each seeing the other's deal.
        /// </summary>
        private const string WonStageTimes = """
            CREATE TABLE won_stage_times (
                tenant_id uuid NOT NULL,
                pipeline_id uuid NOT NULL,
                stage character varying(40) NOT NULL,
                p75_seconds double precision NOT NULL,
                CONSTRAINT pk_won_stage_times PRIMARY KEY (tenant_id, pipeline_id, stage));

            CREATE FUNCTION refresh_won_stage_times(p_tenant uuid, p_pipeline uuid) RETURNS void LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_advisory_xact_lock(hashtextextended('won_stage_times:' || p_tenant || ':' || p_pipeline, 0));
                WITH won AS (
                    SELECT p.id, s ->> 'key' AS stage FROM pipelines p CROSS JOIN jsonb_array_elements(p.stages) s
                    WHERE p.tenant_id = p_tenant AND s ->> 'kind' = 'won'
                ),
                fresh AS (
                    SELECT c.from_stage AS stage, percentile_cont(0.75) WITHIN GROUP (ORDER BY c.seconds_in_previous_stage) AS p75
                    FROM opportunity_stage_changes c
                    JOIN opportunities w ON w.id = c.opportunity_id
                    JOIN won ON won.id = w.pipeline_id AND won.stage = w.stage
                    WHERE c.tenant_id = p_tenant AND c.from_pipeline_id = p_pipeline AND w.closed_at IS NOT NULL
                      AND c.from_stage IS NOT NULL AND c.seconds_in_previous_stage IS NOT NULL
                    GROUP BY c.from_stage
                ),
                gone AS (
                    DELETE FROM won_stage_times t
                    WHERE t.tenant_id = p_tenant AND t.pipeline_id = p_pipeline AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.stage = t.stage)
                )
                INSERT INTO won_stage_times (tenant_id, pipeline_id, stage, p75_seconds)
                SELECT p_tenant, p_pipeline, stage, p75 FROM fresh
                ON CONFLICT (tenant_id, pipeline_id, stage) DO UPDATE SET p75_seconds = excluded.p75_seconds;
            END $$;

            -- A history entry added to a closed deal, edited, or removed (a removed one only if its stage had a time).
            CREATE FUNCTION won_stage_times_after_changes() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP IN ('INSERT', 'UPDATE') THEN
                    PERFORM refresh_won_stage_times(x.tenant_id, x.from_pipeline_id) FROM (
                        SELECT DISTINCT c.tenant_id, c.from_pipeline_id
                        FROM (SELECT DISTINCT opportunity_id FROM new_rows) n
                        JOIN opportunities o ON o.id = n.opportunity_id AND o.closed_at IS NOT NULL
                        JOIN opportunity_stage_changes c ON c.opportunity_id = n.opportunity_id
                        WHERE c.from_pipeline_id IS NOT NULL) x;
                END IF;
                IF TG_OP IN ('DELETE', 'UPDATE') THEN
                    PERFORM refresh_won_stage_times(x.tenant_id, x.pipeline_id) FROM (
                        SELECT DISTINCT t.tenant_id, t.pipeline_id FROM old_rows c
                        JOIN won_stage_times t ON t.tenant_id = c.tenant_id AND t.pipeline_id = c.from_pipeline_id AND t.stage = c.from_stage) x;
                END IF;
                RETURN NULL;
            END $$;
            CREATE TRIGGER opportunity_stage_changes_won_times_insert AFTER INSERT ON opportunity_stage_changes
                REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION won_stage_times_after_changes();
            CREATE TRIGGER opportunity_stage_changes_won_times_update AFTER UPDATE ON opportunity_stage_changes
                REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION won_stage_times_after_changes();
            CREATE TRIGGER opportunity_stage_changes_won_times_delete AFTER DELETE ON opportunity_stage_changes
                REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION won_stage_times_after_changes();

            -- A deal won, reopened, or moved while closed: whether its history counts has changed.
            CREATE FUNCTION won_stage_times_after_opportunities() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM refresh_won_stage_times(x.tenant_id, x.from_pipeline_id) FROM (
                    SELECT DISTINCT c.tenant_id, c.from_pipeline_id
                    FROM old_rows o JOIN new_rows n ON n.id = o.id
                    JOIN opportunity_stage_changes c ON c.opportunity_id = n.id
                    WHERE c.from_pipeline_id IS NOT NULL
                      AND (o.closed_at IS DISTINCT FROM n.closed_at
                           OR (n.closed_at IS NOT NULL AND (o.stage <> n.stage OR o.pipeline_id <> n.pipeline_id)))) x;
                RETURN NULL;
            END $$;
            CREATE TRIGGER opportunities_won_stage_times AFTER UPDATE ON opportunities
                REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION won_stage_times_after_opportunities();

            -- A pipeline whose stages changed may have a won stage more or fewer.
            CREATE FUNCTION won_stage_times_after_pipelines() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM refresh_won_stage_times(n.tenant_id, n.id)
                FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE o.stages IS DISTINCT FROM n.stages;
                RETURN NULL;
            END $$;
            CREATE TRIGGER pipelines_won_stage_times AFTER UPDATE ON pipelines
                REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION won_stage_times_after_pipelines();

            SELECT refresh_won_stage_times(p.tenant_id, p.id) FROM pipelines p;
            """;
    }
}
