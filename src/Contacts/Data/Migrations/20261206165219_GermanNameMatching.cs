using Microsoft.EntityFrameworkCore.Migrations;
using NpgsqlTypes;

#nullable disable

namespace CrmPlatform.Contacts.Data.Migrations
{
    /// <inheritdoc />
    public partial class GermanNameMatching : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The rules of Matching/NameFolding and Matching/KoelnerPhonetik, for the generated columns (a test holds both
            // equal). Immutable: they read nothing but their arguments, as a generated column requires.
            migrationBuilder.Sql("""
                CREATE FUNCTION crm_fold_name(name text) RETURNS text
                LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fold$
                    SELECT btrim(regexp_replace(lower(translate(translate(
                        replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(name,
                            'ä', 'ae'), 'ö', 'oe'), 'ü', 'ue'), 'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe'),
                            'Ä', 'ae'), 'Ö', 'oe'), 'Ü', 'ue'), 'ẞ', 'ss'), 'Æ', 'ae'), 'Œ', 'oe'),
                        'àáâãåāăąçćĉċčďđèéêëēĕėęěĝğġģĥħìíîïĩīĭįıĵķĺļľŀłñńņňòóôõōŏőøŕŗřśŝşšţťŧùúûũūŭůűųŵýÿŷźżžðÀÁÂÃÅĀĂĄÇĆĈĊČĎĐÈÉÊËĒĔĖĘĚĜĞĠĢĤĦÌÍÎÏĨĪĬĮİĴĶĹĻĽĿŁÑŃŅŇÒÓÔÕŌŎŐØŔŖŘŚŜŞŠŢŤŦÙÚÛŨŪŬŮŰŲŴÝŸŶŹŻŽÐ',
                        'aaaaaaaacccccddeeeeeeeeegggghhiiiiiiiiijklllllnnnnoooooooorrrsssstttuuuuuuuuuwyyyzzzdaaaaaaaacccccddeeeeeeeeegggghhiiiiiiiiijklllllnnnnoooooooorrrsssstttuuuuuuuuuwyyyzzzd'),
                        E' \t-‐–—''’`´.,;:/\\()&_"+', '                      ')), ' {2,}', ' ', 'g'))
                $fold$;

                CREATE FUNCTION crm_koelner(name text) RETURNS text
                LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $koelner$
                DECLARE
                    letters text := upper(regexp_replace(crm_fold_name(name), '[^a-z]', '', 'g'));
                    n int := length(letters);
                    digits text := '';
                    code text := '';
                    c text; previous text; next text; d text;
                BEGIN
                    FOR i IN 1..n LOOP
                        c := substr(letters, i, 1);
                        previous := CASE WHEN i > 1 THEN substr(letters, i - 1, 1) ELSE '' END;
                        next := CASE WHEN i < n THEN substr(letters, i + 1, 1) ELSE '' END;
                        digits := digits || CASE
                            WHEN c IN ('A', 'E', 'I', 'J', 'O', 'U', 'Y') THEN '0'
                            WHEN c = 'B' THEN '1'
                            WHEN c = 'P' THEN CASE WHEN next = 'H' THEN '3' ELSE '1' END
                            WHEN c IN ('D', 'T') THEN CASE WHEN next IN ('C', 'S', 'Z') THEN '8' ELSE '2' END
                            WHEN c IN ('F', 'V', 'W') THEN '3'
                            WHEN c IN ('G', 'K', 'Q') THEN '4'
                            WHEN c = 'C' AND i = 1 THEN CASE WHEN next IN ('A', 'H', 'K', 'L', 'O', 'Q', 'R', 'U', 'X') THEN '4' ELSE '8' END
                            WHEN c = 'C' THEN CASE WHEN previous NOT IN ('S', 'Z') AND next IN ('A', 'H', 'K', 'O', 'Q', 'U', 'X') THEN '4' ELSE '8' END
                            WHEN c = 'X' THEN CASE WHEN previous IN ('C', 'K', 'Q') THEN '8' ELSE '48' END
                            WHEN c = 'L' THEN '5'
                            WHEN c IN ('M', 'N') THEN '6'
                            WHEN c = 'R' THEN '7'
                            WHEN c IN ('S', 'Z') THEN '8'
                            ELSE ''
                        END;
                    END LOOP;
                    FOR i IN 1..length(digits) LOOP
                        d := substr(digits, i, 1);
                        IF (i = 1 OR d <> substr(digits, i - 1, 1)) AND (d <> '0' OR i = 1) THEN
                            code := code || d;
                        END IF;
                    END LOOP;
                    RETURN code;
                END
                $koelner$;

                CREATE FUNCTION crm_name_sound(first_name text, last_name text) RETURNS text
                LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $sound$
                    SELECT crm_koelner(first_name) || ' ' || crm_koelner(last_name)
                $sound$;

                CREATE FUNCTION crm_name_keys(first_name text, last_name text) RETURNS tsvector
                LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $keys$
                    SELECT coalesce(to_tsvector('simple'::regconfig, string_agg(
                        w || CASE WHEN length(w) >= 4 AND crm_koelner(w) <> '' THEN ' k' || crm_koelner(w) ELSE '' END, ' ')), ''::tsvector)
                    FROM regexp_split_to_table(crm_fold_name(first_name || ' ' || last_name), ' ') w
                    WHERE w <> ''
                $keys$;
                """);

            migrationBuilder.AddColumn<NpgsqlTsVector>(
                name: "name_keys",
                table: "people",
                type: "tsvector",
                nullable: false,
                computedColumnSql: "crm_name_keys(first_name, last_name)",
                stored: true);

            migrationBuilder.AddColumn<string>(
                name: "name_sound",
                table: "people",
                type: "text",
                nullable: false,
                computedColumnSql: "crm_name_sound(first_name, last_name)",
                stored: true);

            migrationBuilder.CreateIndex(
                name: "ix_people_name_keys",
                table: "people",
                column: "name_keys")
                .Annotation("Npgsql:IndexMethod", "gin");

            migrationBuilder.CreateIndex(
                name: "ix_people_tenant_id_name_sound",
                table: "people",
                columns: new[] { "tenant_id", "name_sound" });

            // The duplicate rules now find name candidates by sound (an equality on name_sound), not by trigram.
            migrationBuilder.Sql("DROP INDEX ix_people_name_trgm;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_people_name_keys",
                table: "people");

            migrationBuilder.DropIndex(
                name: "ix_people_tenant_id_name_sound",
                table: "people");

            migrationBuilder.DropColumn(
                name: "name_keys",
                table: "people");

            migrationBuilder.DropColumn(
                name: "name_sound",
                table: "people");

            migrationBuilder.Sql("""
                CREATE INDEX ix_people_name_trgm ON people USING gin ((lower(first_name || ' ' || last_name)) gin_trgm_ops);
                DROP FUNCTION crm_name_keys(text, text);
                DROP FUNCTION crm_name_sound(text, text);
                DROP FUNCTION crm_koelner(text);
                DROP FUNCTION crm_fold_name(text);
                """);
        }
    }
}
