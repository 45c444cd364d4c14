namespace CrmPlatform.Contacts.Matching;

/// <summary>
/// What people search looks up in <c>people.name_keys</c> (every word of a person's name folded, under a GIN index):
/// each searched word or one of its spellings found in the tenant's dictionary of name words (<see cref="PersonNameWord"/>,
/// <see cref="NameMatching.IsSpellingOf"/>): Muller finds mueller (Müller), Maier finds meier and mayer, Schnieder finds
/// schneider, Homfann finds hofmann. The misspelling is compared with a few thousand words, not with every person.
/// </summary>
public static class NameSearchKeys
{
    /// <summary>Spellings per searched word at most, the closest first: a short word must not fan out to every name.</summary>
    public const int MaxSpellings = 10;

    /// <summary>The folded words of a search, or null when a word is not plain letters and digits (an address, another script).</summary>
    public static string[]? Words(string text)
    {
        var words = NameFolding.Words(text);
        return words.Length == 0 || words.Any(w => !IsKey(w)) ? null : words;
    }

    /// <summary>The dictionary's words worth comparing with the searched ones: the same sound, or the same first letter and about the same length.</summary>
    public static IQueryable<string> Candidates(IQueryable<PersonNameWord> dictionary, string[] words)
    {
        var codes = words.Select(KoelnerPhonetik.Encode).Where(c => c.Length > 0).ToList();
        var firsts = words.Select(w => w[..1]).Distinct().ToList();
        var (shortest, longest) = (words.Min(w => w.Length) - 1, words.Max(w => w.Length) + 1);
        return dictionary
            .Where(d => codes.Contains(d.Code) || (firsts.Contains(d.Word.Substring(0, 1)) && d.Word.Length >= shortest && d.Word.Length <= longest))
            .Select(d => d.Word);
    }

    /// <summary>
    /// A <c>to_tsquery</c> text: every searched word, each as itself or one of its spellings among
    /// <paramref name="dictionary"/> within <paramref name="maxEdits"/> of it (0: the folded word alone).
    /// </summary>
    public static string Query(string[] words, IReadOnlyCollection<string> dictionary, int maxEdits = 2) => string.Join(" & ", words.Select(word =>
    {
        var spellings = dictionary
            .Where(d => d != word && IsKey(d) && NameMatching.IsSpellingOf(word, d))
            .Select(d => (Word: d, Edits: EditDistance.Between(word, d)))
            .Where(d => d.Edits <= maxEdits)
            .OrderBy(d => d.Edits).ThenBy(d => d.Word, StringComparer.Ordinal)
            .Take(MaxSpellings)
            .Select(d => d.Word);
        return spellings.Any() ? $"({string.Join(" | ", spellings.Prepend(word))})" : word;
    }));

    private static bool IsKey(string word) => word.All(char.IsAsciiLetterOrDigit);
}
