using System.Text;

namespace CrmPlatform.Contacts.Matching;

/// <summary>
/// The Kölner Phonetik (Hans Joachim Postel, 1969): a phonetic code built for German names, where Soundex (made for
/// English) misses what German spelling varies: Meier, Maier, Mayer and Meyer are all 67; Schneider and Schnieder 8627.
/// Letters get digits by their neighbours, repeated digits collapse, and zeros are dropped except at the start.
/// The name is folded first (<see cref="NameFolding"/>), so umlauts count as the vowels they are and ß as s; the database
/// computes the same code (<c>crm_koelner</c>) for its keys.
/// </summary>
public static class KoelnerPhonetik
{
    public static string Encode(string? name)
    {
        var letters = new string([.. NameFolding.Fold(name).Where(char.IsAsciiLetterLower).Select(char.ToUpperInvariant)]);
        var digits = Digits(letters);
        var code = new StringBuilder(digits.Length);
        for (var i = 0; i < digits.Length; i++)
        {
            if (i > 0 && digits[i] == digits[i - 1])
            {
                continue;
            }
            if (digits[i] != '0' || i == 0)
            {
                code.Append(digits[i]);
            }
        }
        return code.ToString();
    }

    /// <summary>The digits before collapsing, for upper-case ASCII letters.</summary>
    public static string Digits(string letters)
    {
        var digits = new StringBuilder(letters.Length + 2);
        for (var i = 0; i < letters.Length; i++)
        {
            var previous = i > 0 ? letters[i - 1] : '\0';
            var next = i + 1 < letters.Length ? letters[i + 1] : '\0';
            digits.Append(letters[i] switch
            {
                'A' or 'E' or 'I' or 'J' or 'O' or 'U' or 'Y' => "0",
                'B' => "1",
                'P' => next == 'H' ? "3" : "1",
                'D' or 'T' => next is 'C' or 'S' or 'Z' ? "8" : "2",
                'F' or 'V' or 'W' => "3",
                'G' or 'K' or 'Q' => "4",
                'C' when i == 0 => next is 'A' or 'H' or 'K' or 'L' or 'O' or 'Q' or 'R' or 'U' or 'X' ? "4" : "8",
                'C' => previous is not ('S' or 'Z') && next is 'A' or 'H' or 'K' or 'O' or 'Q' or 'U' or 'X' ? "4" : "8",
                'X' => previous is 'C' or 'K' or 'Q' ? "8" : "48",
                'L' => "5",
                'M' or 'N' => "6",
                'R' => "7",
                'S' or 'Z' => "8",
                _ => "", // H, and anything else, has no sound of its own
            });
        }
        return digits.ToString();
    }
}
