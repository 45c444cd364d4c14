namespace CrmPlatform.Contacts.Matching;

/// <summary>
/// What people search looks up in <c>people.name_keys</c>: every word of a person's name folded (mueller) and, from
/// <see cref="MinPhoneticLength"/> letters, its Kölner code prefixed with k (k657). The database writes the keys
/// (<c>crm_name_keys</c>, a generated column with a GIN index, so a search is an index lookup at any size); this
/// builds the query for them, word by word: (muller | k657) finds Müller and Mueller, (maier | k67) Meier and Mayer.
/// Shorter words match folded only: two letters have too few sounds to tell names apart.
/// </summary>
public static class NameSearchKeys
{
    public const int MinPhoneticLength = 4;
    public const string PhoneticPrefix = "k";

    /// <summary>A <c>to_tsquery</c> text for the words of a search, or null when a word is not plain letters and digits.</summary>
    public static string? Query(string text)
    {
        var words = NameFolding.Words(text);
        if (words.Length == 0 || words.Any(w => !w.All(char.IsAsciiLetterOrDigit)))
        {
            return null;
        }
        return string.Join(" & ", words.Select(word =>
            KeyOf(word) is { } key ? $"({word} | {key})" : word));
    }

    private static string? KeyOf(string word) =>
        word.Length >= MinPhoneticLength && KoelnerPhonetik.Encode(word) is { Length: > 0 } code ? PhoneticPrefix + code : null;
}
