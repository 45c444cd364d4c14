using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmPlatform.Sales.Data.Migrations
{
    /// <inheritdoc />
    public partial class DirectoryContactOwner : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "owner_id",
                table: "directory_contacts",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "owner_id",
                table: "directory_contacts");
        }
    }
}
