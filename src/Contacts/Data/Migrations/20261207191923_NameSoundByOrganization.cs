using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmPlatform.Contacts.Data.Migrations
{
    /// <inheritdoc />
    public partial class NameSoundByOrganization : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_people_tenant_id_name_sound",
                table: "people");

            migrationBuilder.CreateIndex(
                name: "ix_people_tenant_id_name_sound_organization_id",
                table: "people",
                columns: new[] { "tenant_id", "name_sound", "organization_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_people_tenant_id_name_sound_organization_id",
                table: "people");

            migrationBuilder.CreateIndex(
                name: "ix_people_tenant_id_name_sound",
                table: "people",
                columns: new[] { "tenant_id", "name_sound" });
        }
    }
}
