using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmPlatform.Sales.Data.Migrations
{
    /// <inheritdoc />
    public partial class ContactMergeMoves : Migration
    {
        // Renamed, not recreated: the moves of past merges are what their undo needs.
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(name: "pk_opportunity_merge_moves", table: "opportunity_merge_moves");
            migrationBuilder.RenameTable(name: "opportunity_merge_moves", newName: "contact_merge_moves");
            migrationBuilder.RenameColumn(name: "opportunity_id", table: "contact_merge_moves", newName: "record_id");
            migrationBuilder.RenameColumn(name: "from_customer_id", table: "contact_merge_moves", newName: "from_contact_id");
            migrationBuilder.AddColumn<string>(
                name: "record_kind", table: "contact_merge_moves", type: "character varying(30)", maxLength: 30, nullable: false, defaultValue: "opportunity");
            migrationBuilder.AlterColumn<string>(
                name: "record_kind", table: "contact_merge_moves", type: "character varying(30)", maxLength: 30, nullable: false,
                oldClrType: typeof(string), oldType: "character varying(30)", oldMaxLength: 30, oldDefaultValue: "opportunity");
            migrationBuilder.AddPrimaryKey(name: "pk_contact_merge_moves", table: "contact_merge_moves", columns: ["merge_id", "record_kind", "record_id"]);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DELETE FROM contact_merge_moves WHERE record_kind <> 'opportunity';");
            migrationBuilder.DropPrimaryKey(name: "pk_contact_merge_moves", table: "contact_merge_moves");
            migrationBuilder.DropColumn(name: "record_kind", table: "contact_merge_moves");
            migrationBuilder.RenameColumn(name: "from_contact_id", table: "contact_merge_moves", newName: "from_customer_id");
            migrationBuilder.RenameColumn(name: "record_id", table: "contact_merge_moves", newName: "opportunity_id");
            migrationBuilder.RenameTable(name: "contact_merge_moves", newName: "opportunity_merge_moves");
            migrationBuilder.AddPrimaryKey(name: "pk_opportunity_merge_moves", table: "opportunity_merge_moves", columns: ["merge_id", "opportunity_id"]);
        }
    }
}
