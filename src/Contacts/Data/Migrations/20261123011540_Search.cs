using Microsoft.EntityFrameworkCore.Migrations;
using NpgsqlTypes;

#nullable disable

namespace CrmPlatform.Contacts.Data.Migrations
{
    /// <inheritdoc />
    public partial class Search : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterDatabase()
                .Annotation("Npgsql:PostgresExtension:pg_trgm", ",,");

            // array_to_string is only stable (for arrays of any type); for text[] it is immutable, which generated
            // columns require.
            migrationBuilder.Sql("""
                CREATE FUNCTION tags_text(tags text[]) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
                    RETURN array_to_string(tags, ' ');
                """);

            // A person's organization name, for search. Kept by the database: set when a person is written with an
            // organization (FOR SHARE, so that a rename committing meanwhile waits and then renames this person too),
            // and rewritten on every person of an organization when it is renamed. Not the person's own data: it
            // changes neither their version nor their audit log.
            migrationBuilder.Sql("""
                ALTER TABLE people ADD COLUMN organization_name character varying(200);

                CREATE FUNCTION people_set_organization_name() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    NEW.organization_name := (SELECT o.name FROM organizations o WHERE o.id = NEW.organization_id FOR SHARE);
                    RETURN NEW;
                END $$;
                CREATE TRIGGER people_set_organization_name BEFORE INSERT OR UPDATE OF organization_id ON people
                    FOR EACH ROW EXECUTE FUNCTION people_set_organization_name();

                CREATE FUNCTION organizations_rename_people() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE people SET organization_name = NEW.name WHERE organization_id = NEW.id;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER organizations_rename_people AFTER UPDATE OF name ON organizations
                    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION organizations_rename_people();

                UPDATE people p SET organization_name = o.name FROM organizations o WHERE o.id = p.organization_id;
                """);

            migrationBuilder.AddColumn<string>(
                name: "search_text",
                table: "people",
                type: "text",
                nullable: false,
                computedColumnSql: "lower(first_name || ' ' || last_name || ' ' || coalesce(organization_name, '') || ' ' || tags_text(tags) || ' ' || translate(jsonb_path_query_array(emails, '$[*].address')::text, '[]\",', '    '))",
                stored: true);

            migrationBuilder.AddColumn<NpgsqlTsVector>(
                name: "search_vector",
                table: "people",
                type: "tsvector",
                nullable: false,
                computedColumnSql: "setweight(to_tsvector('simple'::regconfig, first_name || ' ' || last_name), 'A') || setweight(jsonb_to_tsvector('simple'::regconfig, jsonb_path_query_array(emails, '$[*].address'), '[\"string\"]'), 'B') || setweight(to_tsvector('simple'::regconfig, translate(jsonb_path_query_array(phones, '$[*].number')::text, '[]\",+', '    ')), 'B') || setweight(to_tsvector('simple'::regconfig, coalesce(organization_name, '') || ' ' || tags_text(tags)), 'C')",
                stored: true);

            migrationBuilder.AddColumn<string>(
                name: "search_text",
                table: "organizations",
                type: "text",
                nullable: false,
                computedColumnSql: "lower(name || ' ' || coalesce(domain, '') || ' ' || tags_text(tags))",
                stored: true);

            migrationBuilder.AddColumn<NpgsqlTsVector>(
                name: "search_vector",
                table: "organizations",
                type: "tsvector",
                nullable: false,
                computedColumnSql: "setweight(to_tsvector('simple'::regconfig, name), 'A') || setweight(to_tsvector('simple'::regconfig, coalesce(domain, '')), 'B') || setweight(to_tsvector('simple'::regconfig, coalesce(industry, '') || ' ' || tags_text(tags)), 'C')",
                stored: true);

            migrationBuilder.CreateIndex(
                name: "ix_people_search_text",
                table: "people",
                column: "search_text")
                .Annotation("Npgsql:IndexMethod", "gin")
                .Annotation("Npgsql:IndexOperators", new[] { "gin_trgm_ops" });

            migrationBuilder.CreateIndex(
                name: "ix_people_search_vector",
                table: "people",
                column: "search_vector")
                .Annotation("Npgsql:IndexMethod", "gin");

            migrationBuilder.CreateIndex(
                name: "ix_organizations_search_text",
                table: "organizations",
                column: "search_text")
                .Annotation("Npgsql:IndexMethod", "gin")
                .Annotation("Npgsql:IndexOperators", new[] { "gin_trgm_ops" });

            migrationBuilder.CreateIndex(
                name: "ix_organizations_search_vector",
                table: "organizations",
                column: "search_vector")
                .Annotation("Npgsql:IndexMethod", "gin");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_people_search_text",
                table: "people");

            migrationBuilder.DropIndex(
                name: "ix_people_search_vector",
                table: "people");

            migrationBuilder.DropIndex(
                name: "ix_organizations_search_text",
                table: "organizations");

            migrationBuilder.DropIndex(
                name: "ix_organizations_search_vector",
                table: "organizations");

            migrationBuilder.DropColumn(
                name: "search_text",
                table: "people");

            migrationBuilder.DropColumn(
                name: "search_vector",
                table: "people");

            migrationBuilder.DropColumn(
                name: "search_text",
                table: "organizations");

            migrationBuilder.DropColumn(
                name: "search_vector",
                table: "organizations");

            migrationBuilder.AlterDatabase()
                .OldAnnotation("Npgsql:PostgresExtension:pg_trgm", ",,");

            migrationBuilder.Sql("""
                DROP TRIGGER organizations_rename_people ON organizations;
                DROP FUNCTION organizations_rename_people();
                DROP TRIGGER people_set_organization_name ON people;
                DROP FUNCTION people_set_organization_name();
                ALTER TABLE people DROP COLUMN organization_name;
                DROP FUNCTION tags_text(text[]);
                """);
        }
    }
}
