namespace CrmPlatform.Contacts.Matching;

/// <summary>How two people's names match, and the sentence that says why.</summary>
public sealed record NameMatch(string Rule, string Field, int Points, int Distance, string? Phonetic, string Explanation);

/// <summary>
/// German-aware comparison of two people's names (first and last), beyond names written alike:
/// <list type="bullet">
/// <item><c>folded-name</c>: equal after <see cref="NameFolding"/> (Jürgen Müller = Juergen Mueller, Straße = Strasse),
/// as strong as an identical name.</item>
/// <item><c>sounds-alike</c>: each of first and last name is equal after folding, or has the same
/// <see cref="KoelnerPhonetik"/> code and lies within <see cref="MaxEdits"/> of it (<see cref="EditDistance"/>, a swap of
/// two letters being one edit). The code alone would be too generous (Müller, Miller, Möller and Mahler are all 657);
/// the distance alone cannot tell Meier~Mayer (two edits, one sound) from Meier~Meiser (one edit, another name).
/// One edit is as strong as an identical name (Müller~Muller, Meier~Maier, Schneider~Schnieder); two are weaker
/// (Meier~Mayer, Müller~Miller) and need other evidence before a pair is listed.</item>
/// </list>
/// Names written alike are not matched here: the trigram rule (<c>similar-name</c>) already scores them.
/// </summary>
public static class NameMatching
{
    public const string FoldedName = "folded-name";
    public const string SoundsAlike = "sounds-alike";
    public const int EqualPoints = 50;
    public const int OneEditPoints = 50;
    public const int TwoEditsPoints = 40;

    /// <summary>Edits allowed within one name part: none up to 3 letters (Li/Le/Lee are different names), one up to 4, else two.</summary>
    public static int MaxEdits(int length) => length <= 3 ? 0 : length == 4 ? 1 : 2;

    public static NameMatch? Compare(string firstA, string lastA, string firstB, string lastB)
    {
        var (fullA, fullB) = (Display(firstA, lastA), Display(firstB, lastB));
        if (string.Equals(fullA, fullB, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var (foldedA, foldedB) = (NameFolding.Fold(fullA), NameFolding.Fold(fullB));
        if (foldedA.Length == 0 || foldedB.Length == 0)
        {
            return null;
        }
        if (foldedA == foldedB)
        {
            return new NameMatch(FoldedName, "name", EqualPoints, 0, null, $"names equal after folding: {fullA} = {fullB} ({foldedA})");
        }
        if (Part(firstA, firstB) is not { } first || Part(lastA, lastB) is not { } last)
        {
            return null;
        }
        var distance = first.Distance + last.Distance;
        var (field, what, parts) = (first.Distance, last.Distance) switch
        {
            (0, _) => ("lastName", "last name sounds alike", $"{lastA.Trim()} ~ {lastB.Trim()}"),
            (_, 0) => ("firstName", "first name sounds alike", $"{firstA.Trim()} ~ {firstB.Trim()}"),
            _ => ("name", "first and last names sound alike", $"{fullA} ~ {fullB}"),
        };
        var phonetic = field switch { "lastName" => last.Code, "firstName" => first.Code, _ => $"{first.Code} {last.Code}" };
        var edits = distance == 1 ? "1 edit" : $"{distance} edits";
        return new NameMatch(SoundsAlike, field, distance == 1 ? OneEditPoints : TwoEditsPoints, distance, phonetic,
            $"{what} (Kölner Phonetik {phonetic}, {edits}): {parts}");
    }

    /// <summary>
    /// Whether a searched word may mean a name word: equal after folding, sounding alike within <see cref="MaxEdits"/>
    /// (the rule above, part by part), or one typing slip away (a swap, a letter missing or one too many) where the
    /// longer word has room for an edit at all: Bekc is Beck, Homfann is Hofmann.
    /// </summary>
    public static bool IsSpellingOf(string searched, string word) =>
        Part(searched, word) is not null
        || (MaxEdits(Math.Max(searched.Length, word.Length)) >= 1 && EditDistance.Between(NameFolding.Fold(searched), NameFolding.Fold(word)) <= 1);

    private sealed record PartMatch(int Distance, string Code);

    private static PartMatch? Part(string a, string b)
    {
        var (foldedA, foldedB) = (NameFolding.Fold(a), NameFolding.Fold(b));
        var code = KoelnerPhonetik.Encode(foldedA);
        if (foldedA == foldedB)
        {
            return new PartMatch(0, code);
        }
        if (code.Length == 0 || code != KoelnerPhonetik.Encode(foldedB))
        {
            return null;
        }
        var distance = EditDistance.Between(foldedA, foldedB);
        return distance <= MaxEdits(Math.Max(foldedA.Length, foldedB.Length)) ? new PartMatch(distance, code) : null;
    }

    private static string Display(string first, string last) => $"{first.Trim()} {last.Trim()}".Trim();
}
