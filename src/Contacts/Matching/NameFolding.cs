using System.Text;

namespace CrmPlatform.Contacts.Matching;

/// <summary>
/// A name as matching compares it: lower case, ä→ae, ö→oe, ü→ue, ß→ss (the German transliteration, so that Müller and
/// Mueller, Straße and Strasse are one name), other diacritics stripped (é→e, ł→l), and separators (spaces, hyphens,
/// apostrophes, dots…) as single spaces. Muller is deliberately not Müller here: dropping the e of every ue would also
/// turn Samuel into "samel" and Michael into "michal"; Muller finds Müller by sound instead (<see cref="NameMatching"/>).
/// The database folds names the same way (<c>crm_fold_name</c>, for its generated keys); a test holds the two equal,
/// which is why this is an explicit table rather than Unicode decomposition.
/// </summary>
public static class NameFolding
{
    /// <summary>Letters folded to two (both cases).</summary>
    public static readonly (string Letter, string Folded)[] Expansions =
    [
        ("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("æ", "ae"), ("œ", "oe"),
        ("Ä", "ae"), ("Ö", "oe"), ("Ü", "ue"), ("ẞ", "ss"), ("Æ", "ae"), ("Œ", "oe"),
    ];

    /// <summary>Letters whose diacritic is dropped, position by position with <see cref="Plain"/>.</summary>
    public const string Accented =
        "àáâãåāăąçćĉċčďđèéêëēĕėęěĝğġģĥħìíîïĩīĭįıĵķĺļľŀłñńņňòóôõōŏőøŕŗřśŝşšţťŧùúûũūŭůűųŵýÿŷźżžð"
        + "ÀÁÂÃÅĀĂĄÇĆĈĊČĎĐÈÉÊËĒĔĖĘĚĜĞĠĢĤĦÌÍÎÏĨĪĬĮİĴĶĹĻĽĿŁÑŃŅŇÒÓÔÕŌŎŐØŔŖŘŚŜŞŠŢŤŦÙÚÛŨŪŬŮŰŲŴÝŸŶŹŻŽÐ";

    public const string Plain =
        "aaaaaaaacccccddeeeeeeeeegggghhiiiiiiiiijklllllnnnnoooooooorrrsssstttuuuuuuuuuwyyyzzzd"
        + "aaaaaaaacccccddeeeeeeeeegggghhiiiiiiiiijklllllnnnnoooooooorrrsssstttuuuuuuuuuwyyyzzzd";

    /// <summary>Characters that separate the words of a name.</summary>
    public const string Separators = " \t-‐–—'’`´.,;:/\\()&_\"+";

    private static readonly Dictionary<char, string> Table = BuildTable();

    private static Dictionary<char, string> BuildTable()
    {
        var table = Expansions.ToDictionary(e => e.Letter[0], e => e.Folded);
        for (var i = 0; i < Accented.Length; i++)
        {
            table[Accented[i]] = Plain[i].ToString();
        }
        foreach (var separator in Separators)
        {
            table[separator] = " ";
        }
        return table;
    }

    public static string Fold(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "";
        }
        var folded = new StringBuilder(name.Length + 4);
        foreach (var c in name)
        {
            var piece = Table.TryGetValue(c, out var replacement) ? replacement : char.ToLowerInvariant(c).ToString();
            // One space between words, none at either end.
            if (piece == " " && (folded.Length == 0 || folded[^1] == ' '))
            {
                continue;
            }
            folded.Append(piece);
        }
        return folded.ToString().TrimEnd(' ');
    }

    /// <summary>The words of a folded name.</summary>
    public static string[] Words(string? name) => Fold(name).Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
