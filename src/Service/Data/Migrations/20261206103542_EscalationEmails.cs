using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmPlatform.Service.Data.Migrations
{
    /// <inheritdoc />
    public partial class EscalationEmails : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_sla_escalations_notification_created_at",
                table: "sla_escalations");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_sla_escalations_notification_created_at",
                table: "sla_escalations",
                columns: new[] { "notification", "created_at" },
                filter: "notification = 'pending'");
        }
    }
}
