using System;
using System.Text.Json;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmPlatform.Contacts.Data.Migrations
{
    /// <inheritdoc />
    public partial class DuplicatesAndMerges : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "duplicate_pairs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    record_id = table.Column<Guid>(type: "uuid", nullable: false),
                    other_id = table.Column<Guid>(type: "uuid", nullable: false),
                    score = table.Column<int>(type: "integer", nullable: false),
                    reasons = table.Column<JsonDocument>(type: "jsonb", nullable: false),
                    status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    dismissed_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    dismissed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_duplicate_pairs", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "merges",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    survivor_id = table.Column<Guid>(type: "uuid", nullable: false),
                    merged_ids = table.Column<Guid[]>(type: "uuid[]", nullable: false),
                    merged_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    survivor_version = table.Column<int>(type: "integer", nullable: false),
                    before = table.Column<JsonDocument>(type: "jsonb", nullable: false),
                    undone_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    undone_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_merges", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_duplicate_pairs_other_id",
                table: "duplicate_pairs",
                column: "other_id");

            migrationBuilder.CreateIndex(
                name: "ix_duplicate_pairs_tenant_id_created_at_id",
                table: "duplicate_pairs",
                columns: new[] { "tenant_id", "created_at", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_duplicate_pairs_tenant_id_kind_record_id_other_id",
                table: "duplicate_pairs",
                columns: new[] { "tenant_id", "kind", "record_id", "other_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_merges_merged_ids",
                table: "merges",
                column: "merged_ids")
                .Annotation("Npgsql:IndexMethod", "gin");

            migrationBuilder.CreateIndex(
                name: "ix_merges_tenant_id_created_at_id",
                table: "merges",
                columns: new[] { "tenant_id", "created_at", "id" });

            // The duplicate rules' blocking keys (see DuplicateRules): each probe finds its candidates through these.
            migrationBuilder.Sql("""
                CREATE INDEX ix_person_emails_duplicate_key ON person_emails (tenant_id, (regexp_replace(address, '\+[^@]*@', '@')));
                CREATE INDEX ix_people_phones ON people USING gin (phones jsonb_path_ops);
                CREATE INDEX ix_people_name_trgm ON people USING gin ((lower(first_name || ' ' || last_name)) gin_trgm_ops);
                CREATE INDEX ix_organizations_name_trgm ON organizations USING gin ((lower(name)) gin_trgm_ops);
                CREATE INDEX ix_organizations_tenant_domain ON organizations (tenant_id, domain);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP INDEX ix_person_emails_duplicate_key;
                DROP INDEX ix_people_phones;
                DROP INDEX ix_people_name_trgm;
                DROP INDEX ix_organizations_name_trgm;
                DROP INDEX ix_organizations_tenant_domain;
                """);
            migrationBuilder.DropTable(
                name: "duplicate_pairs");

            migrationBuilder.DropTable(
                name: "merges");
        }
    }
}
