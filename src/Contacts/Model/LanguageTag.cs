using System.Text.RegularExpressions;

namespace CrmPlatform.Contacts.Model;

/// <summary>
/// BCP 47 language tags (<c>en</c>, <c>en-GB</c>, <c>zh-Hant-TW</c>, <c>es-419</c>), checked for their form (a two- or
/// three-letter language, then optional script, region and variants; no extensions or private use) and written
/// in the conventional case: language lower, script title, region upper. Whether a subtag is registered is not checked.
/// </summary>
public static partial class LanguageTag
{
    public const int MaxLength = 35;

    [GeneratedRegex("^(?<language>[a-z]{2,3})(-(?<script>[a-z]{4}))?(-(?<region>[a-z]{2}|[0-9]{3}))?(?<variants>(-([a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*)$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool TryNormalize(string input, out string tag)
    {
        tag = "";
        var trimmed = input.Trim();
        if (trimmed.Length > MaxLength || Pattern().Match(trimmed) is not { Success: true } match)
        {
            return false;
        }
        var script = match.Groups["script"].Value;
        tag = string.Concat(
            match.Groups["language"].Value.ToLowerInvariant(),
            script.Length > 0 ? "-" + char.ToUpperInvariant(script[0]) + script[1..].ToLowerInvariant() : "",
            match.Groups["region"].Success ? "-" + match.Groups["region"].Value.ToUpperInvariant() : "",
            match.Groups["variants"].Value.ToLowerInvariant());
        return true;
    }
}
