using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmPlatform.Contacts.Data.Migrations
{
    /// <inheritdoc />
    public partial class PeopleContactDetails : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_people_tenant_id_normalized_email",
                table: "people");

            migrationBuilder.AddColumn<string>(
                name: "addresses",
                table: "people",
                type: "jsonb",
                nullable: false,
                defaultValueSql: "'[]'::jsonb");

            migrationBuilder.AddColumn<bool>(
                name: "do_not_call",
                table: "people",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "do_not_email",
                table: "people",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "emails",
                table: "people",
                type: "jsonb",
                nullable: false,
                defaultValueSql: "'[]'::jsonb");

            migrationBuilder.AddColumn<string>(
                name: "language",
                table: "people",
                type: "character varying(35)",
                maxLength: 35,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "phones",
                table: "people",
                type: "jsonb",
                nullable: false,
                defaultValueSql: "'[]'::jsonb");

            migrationBuilder.AddColumn<string>(
                name: "preferred_channel",
                table: "people",
                type: "character varying(30)",
                maxLength: 30,
                nullable: true);

            migrationBuilder.AddColumn<string[]>(
                name: "tags",
                table: "people",
                type: "text[]",
                nullable: false,
                defaultValueSql: "'{}'::text[]");

            migrationBuilder.CreateTable(
                name: "person_emails",
                columns: table => new
                {
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    address = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: false),
                    person_id = table.Column<Guid>(type: "uuid", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_person_emails", x => new { x.tenant_id, x.address });
                    table.ForeignKey(
                        name: "fk_person_emails_people_person_id",
                        column: x => x.person_id,
                        principalTable: "people",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_people_tags",
                table: "people",
                column: "tags")
                .Annotation("Npgsql:IndexMethod", "gin");

            migrationBuilder.CreateIndex(
                name: "ix_people_tenant_id_normalized_email",
                table: "people",
                columns: new[] { "tenant_id", "normalized_email" });

            migrationBuilder.CreateIndex(
                name: "ix_person_emails_person_id",
                table: "person_emails",
                column: "person_id");

            // person_emails is an index of people.emails kept by the database: whatever writes a person's emails, the
            // (tenant, address) key then refuses an address another person of the tenant already has.
            migrationBuilder.Sql("""
                CREATE FUNCTION people_index_emails() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    DELETE FROM person_emails WHERE person_id = NEW.id;
                    INSERT INTO person_emails (tenant_id, address, person_id)
                        SELECT NEW.tenant_id, email ->> 'address', NEW.id FROM jsonb_array_elements(NEW.emails) AS email;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER people_index_emails AFTER INSERT OR UPDATE OF emails ON people
                    FOR EACH ROW EXECUTE FUNCTION people_index_emails();
                """);

            // The one email (now lower-cased) and phone people had become the primaries of their lists. Phones are
            // carried over as written; they are normalized to E.164 the next time the person is saved.
            migrationBuilder.Sql("""
                UPDATE people SET
                    email = lower(trim(email)),
                    normalized_email = lower(trim(email)),
                    emails = jsonb_build_array(jsonb_build_object('address', lower(trim(email)), 'type', 'work', 'primary', true)),
                    phones = CASE WHEN nullif(trim(phone), '') IS NULL THEN '[]'::jsonb
                        ELSE jsonb_build_array(jsonb_build_object('number', trim(phone), 'type', 'work', 'primary', true)) END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER people_index_emails ON people; DROP FUNCTION people_index_emails();");

            migrationBuilder.DropTable(
                name: "person_emails");

            migrationBuilder.DropIndex(
                name: "ix_people_tags",
                table: "people");

            migrationBuilder.DropIndex(
                name: "ix_people_tenant_id_normalized_email",
                table: "people");

            migrationBuilder.DropColumn(
                name: "addresses",
                table: "people");

            migrationBuilder.DropColumn(
                name: "do_not_call",
                table: "people");

            migrationBuilder.DropColumn(
                name: "do_not_email",
                table: "people");

            migrationBuilder.DropColumn(
                name: "emails",
                table: "people");

            migrationBuilder.DropColumn(
                name: "language",
                table: "people");

            migrationBuilder.DropColumn(
                name: "phones",
                table: "people");

            migrationBuilder.DropColumn(
                name: "preferred_channel",
                table: "people");

            migrationBuilder.DropColumn(
                name: "tags",
                table: "people");

            migrationBuilder.CreateIndex(
                name: "ix_people_tenant_id_normalized_email",
                table: "people",
                columns: new[] { "tenant_id", "normalized_email" },
                unique: true);
        }
    }
}
