using System.Text.RegularExpressions;

namespace CrmPlatform.Service.Knowledge;

/// <summary>
/// Turns what someone typed into a PostgreSQL tsquery text. Only words (letters and digits) pass, so nothing a user
/// types can be read as a tsquery operator; the text search configuration then stems them (German or English) and
/// drops stop words.
/// </summary>
public static partial class SearchTerms
{
    public const int MaxTerms = 32;

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Word();

    /// <summary>The distinct words of a text, lower-cased, in order of first appearance.</summary>
    public static IReadOnlyList<string> Words(string? text, int max = MaxTerms) =>
        text is null ? [] : Word().Matches(text).Select(m => m.Value.ToLowerInvariant()).Distinct().Take(max).ToList();

    /// <summary>Every word must match; the last one may be the start of a word (type-ahead).</summary>
    public static string? AllOf(string? text, bool lastIsPrefix)
    {
        var words = Words(text);
        if (words.Count == 0)
        {
            return null;
        }
        return string.Join(" & ", words.Select((word, i) => lastIsPrefix && i == words.Count - 1 ? $"{word}:*" : word));
    }

    /// <summary>Any word may match; the more that do, and the weightier where, the higher the rank.</summary>
    public static string? AnyOf(IEnumerable<string> words)
    {
        var list = words.ToList();
        return list.Count == 0 ? null : string.Join(" | ", list);
    }
}
