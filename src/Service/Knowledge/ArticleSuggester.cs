namespace CrmPlatform.Service.Knowledge;

/// <summary>A published article that may answer a ticket, with how well it matches (0 to 1; higher is better).</summary>
public sealed record ArticleSuggestion(Guid ArticleId, string Title, string? Summary, string Language, double Score, string Snippet);

/// <summary>
/// Suggests published articles for a ticket from its text: the significant words of subject and description (stop words
/// and words of one or two letters dropped; the subject's first, since it says what the ticket is about), OR-ed, so an
/// article matching more of them, and in its title, ranks higher. The ticket's language picks the stemmer and the
/// articles; without one it is guessed from common words, and when the guess fails both languages are searched.
/// Tickets call it with their own subject, description and language.
/// </summary>
public sealed class ArticleSuggester(ArticleSearch search)
{
    public const int MaxWords = SearchTerms.MaxTerms;
    public const int DefaultLimit = 5;

    public async Task<IReadOnlyList<ArticleSuggestion>> SuggestAsync(
        string? subject, string? description, string? language = null, int limit = DefaultLimit, CancellationToken cancellationToken = default)
    {
        var words = SearchTerms.Words($"{subject}\n{description}", max: 1_000);
        language ??= TicketLanguage.Guess(words);
        var significant = words.Where(word => word.Length > 2 && !TicketLanguage.IsStopWord(word)).Take(MaxWords);
        if (SearchTerms.AnyOf(significant) is not { } query)
        {
            return [];
        }
        var hits = await search.SearchAsync(
            new ArticleSearchQuery(query, language, ArticleStatuses.Published, Limit: Math.Clamp(limit, 1, ArticleSearch.MaxLimit)), cancellationToken);
        return hits.Select(hit => new ArticleSuggestion(hit.Id, hit.Title, hit.Summary, hit.Language, hit.Score, hit.Snippet)).ToList();
    }
}

/// <summary>A rough guess at a ticket's language from its most common words; null when it cannot tell.</summary>
public static class TicketLanguage
{
    private static readonly HashSet<string> German =
    [
        "der", "die", "das", "und", "ist", "nicht", "ich", "ein", "eine", "mit", "für", "auf", "den", "dem", "des", "sie", "wir",
        "es", "zu", "im", "von", "bitte", "kann", "keine", "kein", "habe", "hat", "wie", "was", "mein", "meine", "ihr", "ihre",
        "auch", "noch", "nur", "bei", "aus", "oder", "aber", "wenn", "dass", "sich", "mir", "uns", "wird", "werden", "sind",
    ];

    private static readonly HashSet<string> English =
    [
        "the", "and", "is", "not", "i", "a", "an", "with", "for", "on", "to", "of", "in", "my", "we", "you", "it", "can", "cannot",
        "please", "have", "has", "how", "what", "when", "this", "that", "your", "our", "are", "was", "be", "do", "does", "no",
        "but", "or", "if", "from", "at", "me", "us", "will", "there", "any", "get", "still",
    ];

    public static string? Guess(IEnumerable<string> words)
    {
        var (german, english) = (0, 0);
        foreach (var word in words)
        {
            german += German.Contains(word) ? 1 : 0;
            english += English.Contains(word) ? 1 : 0;
        }
        return german > english ? ArticleLanguages.German : english > german ? ArticleLanguages.English : null;
    }

    /// <summary>Dropped before searching: in an OR-query they would match nearly everything (the configuration drops most too).</summary>
    public static bool IsStopWord(string word) => German.Contains(word) || English.Contains(word);
}
