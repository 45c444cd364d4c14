using System.Text.RegularExpressions;

namespace CrmPlatform.AppHost;

/// <summary>Hides passwords in connection strings and URLs before they are printed or served.</summary>
public static partial class Masking
{
    public static string Mask(string text) =>
        UrlPassword().Replace(ConnectionStringPassword().Replace(text, "${key}****"), "${prefix}****@");

    [GeneratedRegex("(?<key>Password=)[^;]*", RegexOptions.IgnoreCase)]
    private static partial Regex ConnectionStringPassword();

    [GeneratedRegex("(?<prefix>://[^:/@\\s]+:)[^@\\s]*@")]
    private static partial Regex UrlPassword();
}
