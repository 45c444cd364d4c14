using System.Text;

namespace CrmPlatform.Service.Tickets;

/// <summary>
/// What a file is, by its first bytes rather than by its name or the client's word: only types a browser will not run
/// are accepted, so a download can never be a page or a script in disguise.
/// </summary>
public static class FileSignatures
{
    public const string Pdf = "application/pdf";
    public const string Png = "image/png";
    public const string Jpeg = "image/jpeg";
    public const string Gif = "image/gif";
    public const string Text = "text/plain";

    public static readonly IReadOnlyList<string> Allowed = [Pdf, Png, Jpeg, Gif, Text];

    private static readonly (string Type, byte[] Magic)[] Magic =
    [
        (Pdf, "%PDF-"u8.ToArray()),
        (Png, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
        (Jpeg, [0xFF, 0xD8, 0xFF]),
        (Gif, "GIF87a"u8.ToArray()),
        (Gif, "GIF89a"u8.ToArray()),
    ];

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The allowed type the bytes are, or null: plain text is valid UTF-8 without control characters but tabs and line ends.</summary>
    public static string? Detect(ReadOnlySpan<byte> content)
    {
        foreach (var (type, magic) in Magic)
        {
            if (content.StartsWith(magic))
            {
                return type;
            }
        }
        try
        {
            var text = StrictUtf8.GetString(content);
            return text.Length > 0 && !text.Any(c => char.IsControl(c) && c is not ('\t' or '\r' or '\n' or '\f')) && !LooksLikeMarkup(text) ? Text : null;
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>HTML sent as text is refused: some old browsers sniff it despite the headers.</summary>
    private static bool LooksLikeMarkup(string text)
    {
        var start = text.TrimStart().ToLowerInvariant();
        return start.StartsWith("<!doctype html", StringComparison.Ordinal) || start.StartsWith("<html", StringComparison.Ordinal)
            || start.StartsWith("<script", StringComparison.Ordinal) || start.StartsWith("<svg", StringComparison.Ordinal);
    }

    /// <summary>The media type without parameters, lower case (<c>text/plain; charset=utf-8</c> → <c>text/plain</c>).</summary>
    public static string? MediaType(string? contentType) =>
        string.IsNullOrWhiteSpace(contentType) ? null : contentType.Split(';')[0].Trim().ToLowerInvariant() switch
        {
            "image/jpg" or "image/pjpeg" => Jpeg,
            var other => other,
        };

    /// <summary>A file name fit to show and to offer as the download's name: no path, no control characters.</summary>
    public static string SafeFileName(string? fileName)
    {
        var name = Path.GetFileName((fileName ?? "").Replace('\\', '/'));
        name = new string([.. name.Where(c => !char.IsControl(c) && c is not ('"' or '/' or '\\'))]).Trim();
        if (name.Length == 0 || name is "." or "..")
        {
            name = "attachment";
        }
        return name.Length > TicketAttachment.FileNameMaxLength ? name[^TicketAttachment.FileNameMaxLength..] : name;
    }
}
