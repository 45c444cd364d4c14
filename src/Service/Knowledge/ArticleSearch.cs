using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using CrmPlatform.Service.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CrmPlatform.Service.Knowledge;

/// <summary>A matching article, best first; <see cref="Snippet"/> is HTML with the matched words in <c>&lt;mark&gt;</c>.</summary>
public sealed record ArticleHit(
    Guid Id, Guid? CategoryId, string Title, string? Summary, string Language, string Status, Guid TranslationGroupId,
    DateTime UpdatedAt, double Score, string Snippet);

/// <summary>What to look for and where; null filters match everything.</summary>
public sealed record ArticleSearchQuery(string TsQuery, string? Language = null, string? Status = null, Guid? CategoryId = null, int Limit = 20);

/// <summary>
/// Full-text search over a tenant's articles with PostgreSQL: each article is matched and ranked in the configuration of
/// its own language (German stems "Rechnungen" to "rechnung", English "invoices" to "invoic"), through the GIN index on
/// the generated search vector; the two languages are two index scans OR-ed. Snippets (ts_headline) are made only for the
/// page of hits, since they re-parse the text.
/// </summary>
public sealed class ArticleSearch(ServiceDbContext db)
{
    public const int MaxLimit = 100;

    // Markers no article text contains: the snippet is HTML-encoded first, then they become <mark> tags.
    private const char MarkStart = '\u0002';
    private const char MarkStop = '\u0003';

    private const string Sql = """
        WITH q AS NOT MATERIALIZED (SELECT to_tsquery('german', @query) AS de, to_tsquery('english', @query) AS en),
        hits AS (
            SELECT a.id, a.category_id, a.title, a.summary, a.language, a.status, a.translation_group_id, a.updated_at, a.body_text,
                   ts_rank(a.search_vector, CASE WHEN a.language = 'de' THEN q.de ELSE q.en END, 1|32) AS score
            FROM knowledge_articles a, q
            WHERE (a.tenant_id = @tenant) IS TRUE
              AND ((a.language = 'de' AND a.search_vector @@ q.de) OR (a.language = 'en' AND a.search_vector @@ q.en))
              AND (@language::text IS NULL OR a.language = @language)
              AND (@status::text IS NULL OR a.status = @status)
              AND (@category::uuid IS NULL OR a.category_id = @category)
            ORDER BY score DESC, a.id
            LIMIT @limit)
        SELECT h.id, h.category_id, h.title, h.summary, h.language, h.status, h.translation_group_id, h.updated_at, h.score,
               ts_headline(CASE h.language WHEN 'de' THEN 'german'::regconfig ELSE 'english'::regconfig END, h.body_text,
                           CASE WHEN h.language = 'de' THEN q.de ELSE q.en END,
                           'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', MaxWords=30, MinWords=10, MaxFragments=2, FragmentDelimiter=" … "')
        FROM hits h, q
        ORDER BY h.score DESC, h.id
        """;

    public async Task<IReadOnlyList<ArticleHit>> SearchAsync(ArticleSearchQuery query, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            // The planner prices @@ without reading each row's TOASTed vector, so for a word in a third of the
            // articles it reads every article of the tenant (a sequential scan, or the tenant's btree index with @@
            // as a filter) rather than asking the GIN index for the matches: 42–50 ms against 26 ms (psql, on
            // bench/KnowledgeBench's database). Hence no sequential scan in this transaction, and the tenant
            // condition written as `(…) IS TRUE`, which no btree index serves; tenant_id is never null, so it is the
            // same condition.
            await using (var planner = new NpgsqlCommand("SET LOCAL enable_seqscan = off", connection, transaction))
            {
                await planner.ExecuteNonQueryAsync(cancellationToken);
            }
            await using var command = new NpgsqlCommand(Sql, connection, transaction);
            command.Parameters.AddWithValue("query", query.TsQuery);
            command.Parameters.AddWithValue("tenant", db.CurrentTenantId);
            command.Parameters.Add(new NpgsqlParameter("language", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)query.Language ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("status", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)query.Status ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("category", NpgsqlTypes.NpgsqlDbType.Uuid) { Value = (object?)query.CategoryId ?? DBNull.Value });
            command.Parameters.AddWithValue("limit", Math.Clamp(query.Limit, 1, MaxLimit));
            var hits = new List<ArticleHit>();
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    hits.Add(new ArticleHit(
                        reader.GetGuid(0), reader.IsDBNull(1) ? null : reader.GetGuid(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                        reader.GetString(4), reader.GetString(5), reader.GetGuid(6), DateTime.SpecifyKind(reader.GetDateTime(7), DateTimeKind.Utc),
                        Math.Round(reader.GetFloat(8), 6), Highlight(reader.GetString(9))));
                }
            }
            await transaction.CommitAsync(cancellationToken);
            return hits;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    /// <summary>Encodes the text between the markers, so only the <c>&lt;mark&gt;</c> tags are markup.</summary>
    private static string Highlight(string headline)
    {
        var html = new StringBuilder(headline.Length + 32);
        foreach (var part in headline.Split(MarkStop))
        {
            var start = part.IndexOf(MarkStart);
            if (start < 0)
            {
                html.Append(Encoder.Encode(part));
                continue;
            }
            html.Append(Encoder.Encode(part[..start])).Append("<mark>").Append(Encoder.Encode(part[(start + 1)..])).Append("</mark>");
        }
        return html.ToString();
    }
}
