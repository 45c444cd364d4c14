using System.Collections.Concurrent;
using System.Text.Json;
using CrmPlatform.Contacts.Data;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Merging;

/// <summary>
/// Rows as JSON and back, in SQL: a merge keeps the rows it changes or removes exactly as they were (every column,
/// whatever the entity exposes), and an undo writes them back. Table names are the service's own constants, never input.
/// </summary>
internal static class RowArchive
{
    private static readonly ConcurrentDictionary<string, string[]> Columns = new();

    /// <summary>Columns that stay as they are when a record is restored in place: identity, creation and concurrency.</summary>
    private static readonly string[] Bookkeeping = ["id", "tenant_id", "created_at", "created_by", "version", "updated_at", "updated_by"];

    public static async Task<List<JsonElement>> ReadAsync(ContactsDbContext db, string table, string column, Guid[] ids, CancellationToken cancellationToken)
    {
        var sql = $"SELECT to_jsonb(t)::text AS \"Value\" FROM {table} t WHERE t.tenant_id = {{0}} AND t.{column} = ANY({{1}}) ORDER BY t.{column}";
        var rows = await db.Database.SqlQueryRaw<string>(sql, db.CurrentTenantId, ids).ToListAsync(cancellationToken);
        return [.. rows.Select(row => JsonDocument.Parse(row).RootElement.Clone())];
    }

    /// <summary>Inserts archived rows again; a row whose key exists meanwhile is left out.</summary>
    public static async Task InsertAsync(ContactsDbContext db, string table, IEnumerable<JsonElement> rows, CancellationToken cancellationToken)
    {
        var columns = string.Join(", ", await WritableColumnsAsync(db, table, cancellationToken));
        var sql = $"INSERT INTO {table} ({columns}) SELECT {columns} FROM jsonb_populate_record(NULL::{table}, {{0}}::jsonb) ON CONFLICT DO NOTHING";
        foreach (var row in rows)
        {
            await db.Database.ExecuteSqlRawAsync(sql, [row.GetRawText()], cancellationToken);
        }
    }

    /// <summary>Writes an archived record's data back over the live one, with a new version.</summary>
    public static async Task RestoreInPlaceAsync(ContactsDbContext db, string table, JsonElement row, string actor, DateTime now, CancellationToken cancellationToken)
    {
        var columns = (await WritableColumnsAsync(db, table, cancellationToken)).Except(Bookkeeping).ToArray();
        var list = string.Join(", ", columns);
        var sql = $"UPDATE {table} SET ({list}) = (SELECT {list} FROM jsonb_populate_record(NULL::{table}, {{0}}::jsonb)), "
            + "version = version + 1, updated_at = {1}, updated_by = {2} WHERE tenant_id = {3} AND id = {4}";
        await db.Database.ExecuteSqlRawAsync(sql, [row.GetRawText(), now, actor, db.CurrentTenantId, row.GetProperty("id").GetGuid()], cancellationToken);
    }

    /// <summary>Every column but the generated ones (the search columns), which the database computes itself.</summary>
    private static async Task<string[]> WritableColumnsAsync(ContactsDbContext db, string table, CancellationToken cancellationToken)
    {
        if (Columns.TryGetValue(table, out var known))
        {
            return known;
        }
        var columns = await db.Database.SqlQueryRaw<string>(
            "SELECT quote_ident(column_name) AS \"Value\" FROM information_schema.columns "
            + "WHERE table_schema = current_schema() AND table_name = {0} AND is_generated = 'NEVER' ORDER BY ordinal_position",
            table).ToListAsync(cancellationToken);
        return Columns[table] = [.. columns];
    }
}
