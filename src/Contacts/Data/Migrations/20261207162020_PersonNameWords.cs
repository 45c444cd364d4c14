using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CrmPlatform.Contacts.Data.Migrations
{
    /// <inheritdoc />
    public partial class PersonNameWords : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "person_name_words",
                columns: table => new
                {
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    word = table.Column<string>(type: "text", nullable: false),
                    code = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_person_name_words", x => new { x.tenant_id, x.word });
                });

            migrationBuilder.CreateIndex(
                name: "ix_person_name_words_tenant_id_code",
                table: "person_name_words",
                columns: new[] { "tenant_id", "code" });

            // The dictionary is kept by statement triggers, one statement per write whatever its size (an import's
            // batch, a COPY): a word comes with the first person who has it, and goes when its last person is renamed
            // (erasure included), merged away or deleted. Then the words already in use.
            migrationBuilder.Sql("""
                CREATE FUNCTION crm_name_words(first_name text, last_name text) RETURNS SETOF text
                    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
                        SELECT w FROM regexp_split_to_table(crm_fold_name(first_name || ' ' || last_name), ' ') w WHERE w <> ''
                    $$;

                CREATE FUNCTION crm_learn_name_words(tenants uuid[], first_names text[], last_names text[]) RETURNS void
                    LANGUAGE sql AS $$
                        INSERT INTO person_name_words (tenant_id, word, code)
                        SELECT DISTINCT n.tenant_id, w, crm_koelner(w)
                        FROM unnest(tenants, first_names, last_names) n(tenant_id, first_name, last_name), crm_name_words(n.first_name, n.last_name) w
                        ON CONFLICT DO NOTHING
                    $$;

                CREATE FUNCTION crm_forget_name_words(tenants uuid[], first_names text[], last_names text[]) RETURNS void
                    LANGUAGE sql AS $$
                        DELETE FROM person_name_words d
                        USING (SELECT DISTINCT o.tenant_id, w AS word
                               FROM unnest(tenants, first_names, last_names) o(tenant_id, first_name, last_name), crm_name_words(o.first_name, o.last_name) w) gone
                        WHERE d.tenant_id = gone.tenant_id AND d.word = gone.word
                          AND NOT EXISTS (SELECT 1 FROM people p
                                          WHERE p.tenant_id = gone.tenant_id AND p.name_keys @@ to_tsquery('simple', quote_literal(gone.word)))
                    $$;

                CREATE FUNCTION people_name_words_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM crm_learn_name_words(array_agg(tenant_id), array_agg(first_name::text), array_agg(last_name::text)) FROM new_people;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER people_name_words_inserted AFTER INSERT ON people
                    REFERENCING NEW TABLE AS new_people FOR EACH STATEMENT EXECUTE FUNCTION people_name_words_inserted();

                CREATE FUNCTION people_name_words_updated() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM crm_learn_name_words(array_agg(n.tenant_id), array_agg(n.first_name::text), array_agg(n.last_name::text)),
                            crm_forget_name_words(array_agg(o.tenant_id), array_agg(o.first_name::text), array_agg(o.last_name::text))
                    FROM new_people n JOIN old_people o ON o.id = n.id
                    WHERE (n.first_name, n.last_name) IS DISTINCT FROM (o.first_name, o.last_name);
                    RETURN NULL;
                END $$;
                CREATE TRIGGER people_name_words_updated AFTER UPDATE ON people
                    REFERENCING OLD TABLE AS old_people NEW TABLE AS new_people FOR EACH STATEMENT EXECUTE FUNCTION people_name_words_updated();

                CREATE FUNCTION people_name_words_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM crm_forget_name_words(array_agg(tenant_id), array_agg(first_name::text), array_agg(last_name::text)) FROM old_people;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER people_name_words_deleted AFTER DELETE ON people
                    REFERENCING OLD TABLE AS old_people FOR EACH STATEMENT EXECUTE FUNCTION people_name_words_deleted();

                SELECT crm_learn_name_words(array_agg(tenant_id), array_agg(first_name::text), array_agg(last_name::text)) FROM people;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER people_name_words_inserted ON people; DROP FUNCTION people_name_words_inserted();
                DROP TRIGGER people_name_words_updated ON people; DROP FUNCTION people_name_words_updated();
                DROP TRIGGER people_name_words_deleted ON people; DROP FUNCTION people_name_words_deleted();
                DROP FUNCTION crm_learn_name_words(uuid[], text[], text[]); DROP FUNCTION crm_forget_name_words(uuid[], text[], text[]);
                DROP FUNCTION crm_name_words(text, text);
                """);
            migrationBuilder.DropTable(
                name: "person_name_words");
        }
    }
}
