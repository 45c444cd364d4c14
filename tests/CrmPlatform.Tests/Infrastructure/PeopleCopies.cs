using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Tests.Infrastructure;

/// <summary>
/// Thousands of people in Contacts' table at once, so that the planner chooses as it would for a large tenant: copies of
/// a stored person, written as an import's COPY would (PostgreSQL computes the generated search and name columns).
/// </summary>
public static class PeopleCopies
{
    /// <summary>
    /// <paramref name="count"/> copies of <paramref name="seed"/>, each with its own id and email address (a trigger
    /// indexes every address), then <c>ANALYZE people</c>. <paramref name="columns"/> gives other columns an SQL
    /// expression of <c>i</c>, the copy's number from 1.
    /// </summary>
    public static async Task InsertAsync(DbContext db, Guid seed, int count, IReadOnlyDictionary<string, string> columns)
    {
        var address = $"'seed' || i || '-{seed:N}@example.com'";
        var names = await db.Database.SqlQueryRaw<string>(
            "SELECT column_name AS \"Value\" FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'people' AND is_generated = 'NEVER'")
            .ToListAsync();
        var values = names.Select(c => columns.TryGetValue(c, out var value) ? value : c switch
        {
            "id" => "gen_random_uuid()",
            "email" or "normalized_email" => address,
            "emails" => $"jsonb_set(emails, ARRAY['0', 'address'], to_jsonb({address}))",
            _ => c,
        });
        // Test-made SQL (column names and the callers' constant expressions), hence raw.
        var insert = $"INSERT INTO people ({string.Join(", ", names)}) SELECT {string.Join(", ", values)} FROM people, generate_series(1, {count}) i WHERE id = {{0}}";
        await db.Database.ExecuteSqlRawAsync(insert, seed);
        await db.Database.ExecuteSqlRawAsync("ANALYZE people");
    }

    /// <summary>The plan PostgreSQL would choose for <paramref name="sql"/>, one line per node.</summary>
    public static async Task<string> ExplainAsync(DbContext db, string sql)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await connection.OpenAsync();
        }
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN " + sql;
        var plan = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            plan.Add(reader.GetString(0));
        }
        return string.Join("\n", plan);
    }
}
