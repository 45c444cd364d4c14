using Npgsql;
using NpgsqlTypes;

namespace CrmPlatform.KnowledgeBench;

/// <summary>
/// Generated help articles written straight into Service's table with binary COPY, as the API would have written them
/// (title, summary, Markdown, its HTML and plain text); PostgreSQL computes the search vector on insert, as for the API's
/// rows. Seven in ten are German. Each article is about three topics of a support vocabulary, drawn skewed (the most
/// common topic is in about a third of the articles, most in a few per cent), and its text mixes those topics' words
/// with stop words and a long tail of 3,000 generated words per language, as real articles have many words no query
/// asks for. (An earlier seed drew every word from the 70-word vocabulary, so every term was in nearly every article:
/// no knowledge base looks like that.)
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
    ];

    private static readonly string[] GermanStopWords =
    [
        "Sie", "können", "die", "der", "das", "und", "im", "Bereich", "unter", "mit", "einer", "Ihre", "wird", "werden", "nach", "bitte",
    ];

    public static readonly string[] English =
    [
        "invoice", "invoices", "payment", "refund", "credit", "delivery", "shipping", "order", "password", "sign-in", "account", "user",
        "settings", "contract", "cancellation", "subscription", "licence", "printer", "export", "import", "integration", "error", "sync",
        "calendar", "appointment", "contact", "address", "tax", "reminder", "direct", "debit", "transfer", "privacy", "deletion", "permission",
        "role", "team", "report", "analysis", "template", "notification", "email", "download", "change", "request", "configure", "reset",
        "activate", "exporting", "importing", "check", "open",
    ];

    private static readonly string[] EnglishStopWords =
    [
        "you", "can", "the", "and", "in", "section", "under", "with", "a", "your", "is",
    ];

    public static async Task RunAsync(string connectionString, Guid tenant, int total, double germanShare, DateTime now)
    {
        var random = new Random(42);
        var germanFiller = Filler(random, ["ber", "ein", "lung", "keit", "ver", "stel", "gan", "ter", "hof", "wal", "mer", "sto", "ring", "dor", "kal", "ach", "tur", "zen"], 3_000);
        var englishFiller = Filler(random, ["con", "ver", "ment", "ing", "pro", "sta", "lan", "der", "tion", "mar", "ble", "sor", "pen", "tic", "ful", "ham", "rid", "ox"], 3_000);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY knowledge_articles (id, tenant_id, title, summary, body_markdown, body_html, body_text, language, status, category_id, " +
            "translation_group_id, revision, published_at, created_by, updated_by, created_at, updated_at, version) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < total; i++)
            {
                var german = random.NextDouble() < germanShare;
                var vocabulary = german ? German : English;
                var topics = Enumerable.Range(0, 3).Select(_ => Skewed(random, vocabulary)).ToArray();
                var (stopWords, filler) = german ? (GermanStopWords, germanFiller) : (EnglishStopWords, englishFiller);
                var title = string.Join(' ', topics.Distinct()) + ".";
                var summary = Sentence(random, topics, stopWords, filler, 12 + random.Next(10));
                var paragraphs = Enumerable.Range(0, 3 + random.Next(4)).Select(_ => Sentence(random, topics, stopWords, filler, 30 + random.Next(60))).ToList();
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

    /// <summary>For each term, the share of articles its configuration matches (all languages counted).</summary>
    public static async Task<List<(string Term, double Share)>> ShareOfArticlesAsync(string connectionString, (string Configuration, string Term)[] terms)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var shares = new List<(string, double)>();
        foreach (var (configuration, term) in terms)
        {
            await using var count = new NpgsqlCommand(
                "SELECT avg((search_vector @@ to_tsquery(@configuration::regconfig, @term))::int)::float8 FROM knowledge_articles", connection);
            count.Parameters.AddWithValue("configuration", configuration);
            count.Parameters.AddWithValue("term", term);
            shares.Add((term, (double)(await count.ExecuteScalarAsync())!));
        }
        return shares;
    }

    /// <summary>A word skewed towards the start of the list (a squared uniform draw): a few are common, most are rarer.</summary>
    private static string Skewed(Random random, string[] words) => words[(int)(Math.Pow(random.NextDouble(), 2) * words.Length)];

    /// <summary>One in eight words is one of the article's topics, three in eight stop words, the rest the long tail.</summary>
    private static string Sentence(Random random, string[] topics, string[] stopWords, string[] filler, int length) =>
        string.Join(' ', Enumerable.Range(0, length).Select(_ => random.Next(8) switch
        {
            0 => topics[random.Next(topics.Length)],
            1 or 2 or 3 => stopWords[random.Next(stopWords.Length)],
            _ => Skewed(random, filler),
        })) + ".";

    /// <summary>Distinct made-up words of three syllables: words of the language's shape that no query contains.</summary>
    private static string[] Filler(Random random, string[] syllables, int count)
    {
        var words = new HashSet<string>();
        while (words.Count < count)
        {
            words.Add(string.Concat(Enumerable.Range(0, 3).Select(_ => syllables[random.Next(syllables.Length)])));
        }
        return [.. words];
    }
}
