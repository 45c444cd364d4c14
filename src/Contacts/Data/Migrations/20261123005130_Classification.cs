using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmPlatform.Contacts.Data.Migrations
{
    /// <inheritdoc />
    public partial class Classification : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "industry",
                table: "people",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "lifecycle_stage",
                table: "people",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "rating",
                table: "people",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "segment",
                table: "people",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "lifecycle_stage",
                table: "organizations",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "rating",
                table: "organizations",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "segment",
                table: "organizations",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "industry",
                table: "people");

            migrationBuilder.DropColumn(
                name: "lifecycle_stage",
                table: "people");

            migrationBuilder.DropColumn(
                name: "rating",
                table: "people");

            migrationBuilder.DropColumn(
                name: "segment",
                table: "people");

            migrationBuilder.DropColumn(
                name: "lifecycle_stage",
                table: "organizations");

            migrationBuilder.DropColumn(
                name: "rating",
                table: "organizations");

            migrationBuilder.DropColumn(
                name: "segment",
                table: "organizations");
        }
    }
}
