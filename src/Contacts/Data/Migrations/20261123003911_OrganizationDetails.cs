using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmPlatform.Contacts.Data.Migrations
{
    /// <inheritdoc />
    public partial class OrganizationDetails : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "addresses",
                table: "organizations",
                type: "jsonb",
                nullable: false,
                defaultValueSql: "'[]'::jsonb");

            migrationBuilder.AddColumn<int>(
                name: "size",
                table: "organizations",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string[]>(
                name: "tags",
                table: "organizations",
                type: "text[]",
                nullable: false,
                defaultValueSql: "'{}'::text[]");

            migrationBuilder.CreateIndex(
                name: "ix_organizations_tags",
                table: "organizations",
                column: "tags")
                .Annotation("Npgsql:IndexMethod", "gin");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_organizations_tags",
                table: "organizations");

            migrationBuilder.DropColumn(
                name: "addresses",
                table: "organizations");

            migrationBuilder.DropColumn(
                name: "size",
                table: "organizations");

            migrationBuilder.DropColumn(
                name: "tags",
                table: "organizations");
        }
    }
}
