using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmPlatform.Marketing.Data.Migrations
{
    /// <inheritdoc />
    public partial class CampaignLocalTimeAndBounces : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "local_time",
                table: "campaigns",
                type: "timestamp without time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "time_zone_mode",
                table: "campaigns",
                type: "character varying(10)",
                maxLength: 10,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "attempts",
                table: "campaign_recipients",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "due_at",
                table: "campaign_recipients",
                type: "timestamp with time zone",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "local_time",
                table: "campaigns");

            migrationBuilder.DropColumn(
                name: "time_zone_mode",
                table: "campaigns");

            migrationBuilder.DropColumn(
                name: "attempts",
                table: "campaign_recipients");

            migrationBuilder.DropColumn(
                name: "due_at",
                table: "campaign_recipients");
        }
    }
}
