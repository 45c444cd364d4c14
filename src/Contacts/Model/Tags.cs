namespace CrmPlatform.Contacts.Model;

/// <summary>
/// Free-text labels a tenant puts on people and organizations. Stored normalized (trimmed, inner whitespace collapsed,
/// lower-cased) and sorted, so "VIP", " vip " and "Vip" are one tag and the order they were given in is no change.
/// </summary>
public static class Tags
{
    public const int MaxLength = 50;
    public const int MaxCount = 50;

    public static string Normalize(string tag) =>
        string.Join(' ', tag.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToLowerInvariant();

    public static string[] NormalizeAll(IEnumerable<string> tags) =>
        [.. tags.Select(Normalize).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
}
