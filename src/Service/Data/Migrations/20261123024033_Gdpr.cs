using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmPlatform.Service.Data.Migrations
{
    /// <inheritdoc />
    public partial class Gdpr : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "objects_to_direct_marketing",
                table: "directory_contacts",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "processing_restricted",
                table: "directory_contacts",
                type: "boolean",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "objects_to_direct_marketing",
                table: "directory_contacts");

            migrationBuilder.DropColumn(
                name: "processing_restricted",
                table: "directory_contacts");
        }
    }
}
