using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmPlatform.Sales.Data.Migrations
{
    /// <inheritdoc />
    public partial class DirectoryContactAttributes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "country",
                table: "directory_contacts",
                type: "character varying(2)",
                maxLength: 2,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "custom_fields",
                table: "directory_contacts",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "industry",
                table: "directory_contacts",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "lifecycle_stage",
                table: "directory_contacts",
                type: "character varying(40)",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<List<string>>(
                name: "tags",
                table: "directory_contacts",
                type: "text[]",
                nullable: false,
                defaultValueSql: "'{}'::text[]");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "country",
                table: "directory_contacts");

            migrationBuilder.DropColumn(
                name: "custom_fields",
                table: "directory_contacts");

            migrationBuilder.DropColumn(
                name: "industry",
                table: "directory_contacts");

            migrationBuilder.DropColumn(
                name: "lifecycle_stage",
                table: "directory_contacts");

            migrationBuilder.DropColumn(
                name: "tags",
                table: "directory_contacts");
        }
    }
}
