using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmPlatform.Contacts.Data.Migrations
{
    /// <inheritdoc />
    public partial class PeopleListIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_people_tenant_id_do_not_call",
                table: "people",
                columns: new[] { "tenant_id", "do_not_call" });

            migrationBuilder.CreateIndex(
                name: "ix_people_tenant_id_do_not_email",
                table: "people",
                columns: new[] { "tenant_id", "do_not_email" });

            migrationBuilder.CreateIndex(
                name: "ix_people_tenant_id_first_name_id",
                table: "people",
                columns: new[] { "tenant_id", "first_name", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_people_tenant_id_job_title",
                table: "people",
                columns: new[] { "tenant_id", "job_title" });

            migrationBuilder.CreateIndex(
                name: "ix_people_tenant_id_language",
                table: "people",
                columns: new[] { "tenant_id", "language" });

            migrationBuilder.CreateIndex(
                name: "ix_people_tenant_id_last_name_id",
                table: "people",
                columns: new[] { "tenant_id", "last_name", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_people_tenant_id_owner_id",
                table: "people",
                columns: new[] { "tenant_id", "owner_id" });

            migrationBuilder.CreateIndex(
                name: "ix_people_tenant_id_preferred_channel",
                table: "people",
                columns: new[] { "tenant_id", "preferred_channel" });

            migrationBuilder.CreateIndex(
                name: "ix_people_tenant_id_updated_at_id",
                table: "people",
                columns: new[] { "tenant_id", "updated_at", "id" });

            // The classifications: the list sorts by COALESCE(column, empty), since keyset keys are never null, and
            // filters on the same expression, so one index serves both (EF's model has no expression indexes).
            migrationBuilder.Sql("""
                CREATE INDEX ix_people_tenant_id_segment_sort_id ON people (tenant_id, COALESCE(segment, ''), id);
                CREATE INDEX ix_people_tenant_id_industry_sort_id ON people (tenant_id, COALESCE(industry, ''), id);
                CREATE INDEX ix_people_tenant_id_rating_sort_id ON people (tenant_id, COALESCE(rating, 0), id);
                CREATE INDEX ix_people_tenant_id_lifecycle_stage_sort_id ON people (tenant_id, COALESCE(lifecycle_stage, 0), id);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP INDEX ix_people_tenant_id_segment_sort_id;
                DROP INDEX ix_people_tenant_id_industry_sort_id;
                DROP INDEX ix_people_tenant_id_rating_sort_id;
                DROP INDEX ix_people_tenant_id_lifecycle_stage_sort_id;
                """);

            migrationBuilder.DropIndex(
                name: "ix_people_tenant_id_do_not_call",
                table: "people");

            migrationBuilder.DropIndex(
                name: "ix_people_tenant_id_do_not_email",
                table: "people");

            migrationBuilder.DropIndex(
                name: "ix_people_tenant_id_first_name_id",
                table: "people");

            migrationBuilder.DropIndex(
                name: "ix_people_tenant_id_job_title",
                table: "people");

            migrationBuilder.DropIndex(
                name: "ix_people_tenant_id_language",
                table: "people");

            migrationBuilder.DropIndex(
                name: "ix_people_tenant_id_last_name_id",
                table: "people");

            migrationBuilder.DropIndex(
                name: "ix_people_tenant_id_owner_id",
                table: "people");

            migrationBuilder.DropIndex(
                name: "ix_people_tenant_id_preferred_channel",
                table: "people");

            migrationBuilder.DropIndex(
                name: "ix_people_tenant_id_updated_at_id",
                table: "people");
        }
    }
}
