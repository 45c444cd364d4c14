using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmPlatform.Sales.Data.Migrations
{
    /// <inheritdoc />
    public partial class LeadTimeline : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "lead_id",
                table: "tasks",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "lead_id",
                table: "activities",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_tasks_lead_id",
                table: "tasks",
                column: "lead_id");

            migrationBuilder.CreateIndex(
                name: "ix_activities_lead_id_occurred_at",
                table: "activities",
                columns: new[] { "lead_id", "occurred_at" });

            migrationBuilder.AddForeignKey(
                name: "fk_activities_leads_lead_id",
                table: "activities",
                column: "lead_id",
                principalTable: "leads",
                principalColumn: "id",
                onDelete: ReferentialAction.SetNull);

            migrationBuilder.AddForeignKey(
                name: "fk_tasks_leads_lead_id",
                table: "tasks",
                column: "lead_id",
                principalTable: "leads",
                principalColumn: "id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_activities_leads_lead_id",
                table: "activities");

            migrationBuilder.DropForeignKey(
                name: "fk_tasks_leads_lead_id",
                table: "tasks");

            migrationBuilder.DropIndex(
                name: "ix_tasks_lead_id",
                table: "tasks");

            migrationBuilder.DropIndex(
                name: "ix_activities_lead_id_occurred_at",
                table: "activities");

            migrationBuilder.DropColumn(
                name: "lead_id",
                table: "tasks");

            migrationBuilder.DropColumn(
                name: "lead_id",
                table: "activities");
        }
    }
}
