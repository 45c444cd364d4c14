using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmPlatform.Marketing.Data.Migrations
{
    /// <inheritdoc />
    public partial class JourneyEmails : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_campaign_recipients_campaign_id_person_id",
                table: "campaign_recipients");

            migrationBuilder.AddColumn<Guid>(
                name: "journey_id",
                table: "campaigns",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "enrolment_id",
                table: "campaign_recipients",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_campaign_recipients_campaign_id_person_id_enrolment_id",
                table: "campaign_recipients",
                columns: new[] { "campaign_id", "person_id", "enrolment_id" },
                unique: true)
                .Annotation("Npgsql:NullsDistinct", false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_campaign_recipients_campaign_id_person_id_enrolment_id",
                table: "campaign_recipients");

            migrationBuilder.DropColumn(
                name: "journey_id",
                table: "campaigns");

            migrationBuilder.DropColumn(
                name: "enrolment_id",
                table: "campaign_recipients");

            migrationBuilder.CreateIndex(
                name: "ix_campaign_recipients_campaign_id_person_id",
                table: "campaign_recipients",
                columns: new[] { "campaign_id", "person_id" },
                unique: true);
        }
    }
}
