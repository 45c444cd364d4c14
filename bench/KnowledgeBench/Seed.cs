using Npgsql;
using NpgsqlTypes;

namespace CrmPlatform.KnowledgeBench;

/// <summary>
/// Generated help articles written straight into Service's table with binary COPY, as the API would have written them
/// (title, summary, Markdown, its HTML and plain text); PostgreSQL computes the search vector on insert, as for the API's
/// rows. Words are drawn with a skewed distribution from a support vocabulary, so some terms are in most articles and
/// others in a few, as in a real knowledge base. Seven in ten are German.
/// </summary>
internal static class Seed
{
    public static readonly string[] German =
    [
        "Rechnung", "Rechnungen", "Zahlung", "Rückerstattung", "Gutschrift", "Lieferung", "Versand", "Bestellung", "Passwort", "Anmeldung",
        "Konto", "Benutzer", "Einstellungen", "Vertrag", "Kündigung", "Abonnement", "Lizenz", "Drucker", "Export", "Import", "Schnittstelle",
        "Fehlermeldung", "Synchronisierung", "Kalender", "Termin", "Kontakt", "Adresse", "Steuer", "Mahnung", "Lastschrift", "Überweisung",
        "Datenschutz", "Löschung", "Berechtigung", "Rolle", "Team", "Bericht", "Auswertung", "Vorlage", "Benachrichtigung", "E-Mail",
        "herunterladen", "ändern", "beantragen", "einrichten", "zurücksetzen", "freischalten", "exportieren", "importieren", "prüfen", "öffnen",
        "Sie", "können", "die", "der", "das", "und", "im", "Bereich", "unter", "mit", "einer", "Ihre", "wird", "werden", "nach", "bitte",
    ];

    public static readonly string[] English =
    [
        "invoice", "invoices", "payment", "refund", "credit", "delivery", "shipping", "order", "password", "sign-in", "account", "user",
        "settings", "contract", "cancellation", "subscription", "licence", "printer", "export", "import", "integration", "error", "sync",
        "calendar", "appointment", "contact", "address", "tax", "reminder", "direct", "debit", "transfer", "privacy", "deletion", "permission",
        "role", "team", "report", "analysis", "template", "notification", "email", "download", "change", "request", "configure", "reset",
        "activate", "exporting", "importing", "check", "open", "you", "can", "the", "and", "in", "section", "under", "with", "a", "your", "is",
    ];

    public static async Task RunAsync(string connectionString, Guid tenant, int total, double germanShare, DateTime now)
    {
        var random = new Random(42);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY knowledge_articles (id, tenant_id, title, summary, body_markdown, body_html, body_text, language, status, category_id, " +
            "translation_group_id, revision, published_at, created_by, updated_by, created_at, updated_at, version) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < total; i++)
            {
                var german = random.NextDouble() < germanShare;
                var words = german ? German : English;
                var title = Sentence(random, words, 3 + random.Next(4));
                var summary = Sentence(random, words, 12 + random.Next(10));
                var paragraphs = Enumerable.Range(0, 3 + random.Next(4)).Select(_ => Sentence(random, words, 30 + random.Next(60))).ToList();
                var markdown = $"## {title}\n\n{string.Join("\n\n", paragraphs)}";
                var html = $"<h2>{title}</h2>\n{string.Concat(paragraphs.Select(p => $"<p>{p}</p>\n"))}";
                var text = $"{title}\n{string.Join("\n", paragraphs)}";
                var created = now.AddDays(-random.Next(1, 700));
                var id = Guid.CreateVersion7();
                var published = random.Next(10) != 0;
                await copy.StartRowAsync();
                await copy.WriteAsync(id, NpgsqlDbType.Uuid);
                await copy.WriteAsync(tenant, NpgsqlDbType.Uuid);
                await copy.WriteAsync(title, NpgsqlDbType.Varchar);
                await copy.WriteAsync(summary, NpgsqlDbType.Varchar);
                await copy.WriteAsync(markdown, NpgsqlDbType.Text);
                await copy.WriteAsync(html, NpgsqlDbType.Text);
                await copy.WriteAsync(text, NpgsqlDbType.Text);
                await copy.WriteAsync(german ? "de" : "en", NpgsqlDbType.Varchar);
                await copy.WriteAsync(published ? "published" : "draft", NpgsqlDbType.Varchar);
                await copy.WriteNullAsync();
                await copy.WriteAsync(id, NpgsqlDbType.Uuid);
                await copy.WriteAsync(published ? 1 : 0, NpgsqlDbType.Integer);
                if (published)
                {
                    await copy.WriteAsync(created, NpgsqlDbType.TimestampTz);
                }
                else
                {
                    await copy.WriteNullAsync();
                }
                await copy.WriteAsync("bench", NpgsqlDbType.Text);
                await copy.WriteAsync("bench", NpgsqlDbType.Text);
                await copy.WriteAsync(created, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(created, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(1, NpgsqlDbType.Integer);
            }
            await copy.CompleteAsync();
        }
        await using var analyze = new NpgsqlCommand("ANALYZE knowledge_articles", connection);
        await analyze.ExecuteNonQueryAsync();
    }

    /// <summary>Words skewed towards the start of the list (a squared uniform draw): a few are everywhere, most are rarer.</summary>
    private static string Sentence(Random random, string[] words, int length) =>
        string.Join(' ', Enumerable.Range(0, length).Select(_ => words[(int)(Math.Pow(random.NextDouble(), 2) * words.Length)])) + ".";
}
