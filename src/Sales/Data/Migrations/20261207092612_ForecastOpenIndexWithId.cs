using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmPlatform.Sales.Data.Migrations
{
    /// <inheritdoc />
    public partial class ForecastOpenIndexWithId : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_opportunities_open_by_close_date",
                table: "opportunities");

            migrationBuilder.CreateIndex(
                name: "ix_opportunities_open_by_close_date",
                table: "opportunities",
                columns: new[] { "tenant_id", "expected_close_date" },
                filter: "closed_at IS NULL")
                .Annotation("Npgsql:IndexInclude", new[] { "id", "owner_id", "currency", "amount", "pipeline_id", "stage", "stage_entered_at", "created_at", "last_activity_at", "close_date_pushes", "has_current_commitment" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_opportunities_open_by_close_date",
                table: "opportunities");

            migrationBuilder.CreateIndex(
                name: "ix_opportunities_open_by_close_date",
                table: "opportunities",
                columns: new[] { "tenant_id", "expected_close_date" },
                filter: "closed_at IS NULL")
                .Annotation("Npgsql:IndexInclude", new[] { "owner_id", "currency", "amount", "pipeline_id", "stage", "stage_entered_at", "created_at", "last_activity_at", "close_date_pushes", "has_current_commitment" });
        }
    }
}
