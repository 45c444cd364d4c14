using Microsoft.EntityFrameworkCore.Migrations;

namespace CrmPlatform.Persistence;

public static class AppendOnlyTables
{
    /// <summary>
    /// Makes <paramref name="table"/> append-only in the database itself: updates, deletes and truncation fail whoever
    /// runs them, the service's own role included. Call it from the migration that creates the table.
    /// </summary>
    public static void MakeAppendOnly(this MigrationBuilder migrationBuilder, string table) => migrationBuilder.Sql($"""
        CREATE FUNCTION {table}_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{table} is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
        END $$;
        CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION {table}_are_append_only();
        """);
}
