using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmPlatform.Contacts.Data.Migrations
{
    /// <inheritdoc />
    public partial class ImportForgivingEntry : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "applied_default_country",
                table: "import_jobs",
                type: "character varying(2)",
                maxLength: 2,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "assumed_address_countries",
                table: "import_jobs",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "assumed_phone_countries",
                table: "import_jobs",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "default_country",
                table: "import_jobs",
                type: "character varying(2)",
                maxLength: 2,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "delimiter",
                table: "import_jobs",
                type: "character varying(1)",
                maxLength: 1,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "encoding",
                table: "import_jobs",
                type: "character varying(20)",
                maxLength: 20,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "incomplete_addresses",
                table: "import_jobs",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "contact_settings",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    default_country = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: true),
                    default_locale = table.Column<string>(type: "character varying(35)", maxLength: 35, nullable: true),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    created_by = table.Column<string>(type: "text", nullable: true),
                    updated_by = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_contact_settings", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_contact_settings_tenant_id",
                table: "contact_settings",
                column: "tenant_id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "contact_settings");

            migrationBuilder.DropColumn(
                name: "applied_default_country",
                table: "import_jobs");

            migrationBuilder.DropColumn(
                name: "assumed_address_countries",
                table: "import_jobs");

            migrationBuilder.DropColumn(
                name: "assumed_phone_countries",
                table: "import_jobs");

            migrationBuilder.DropColumn(
                name: "default_country",
                table: "import_jobs");

            migrationBuilder.DropColumn(
                name: "delimiter",
                table: "import_jobs");

            migrationBuilder.DropColumn(
                name: "encoding",
                table: "import_jobs");

            migrationBuilder.DropColumn(
                name: "incomplete_addresses",
                table: "import_jobs");
        }
    }
}
