using System.Text.Encodings.Web;

namespace CrmPlatform.Contacts.DoubleOptIn;

/// <summary>
/// The confirmation email, in the person's language where we have a translation (by its primary subtag: <c>de-AT</c>
/// reads German), English otherwise. It names what they confirm, never more of their data than the address it goes to.
/// </summary>
public static class ConfirmationEmail
{
    private sealed record Texts(string Subject, string Greeting, string Ask, string Button, string Expiry, string Ignore);

    private static readonly Dictionary<string, Texts> Translations = new(StringComparer.OrdinalIgnoreCase)
    {
        ["en"] = new("Please confirm: {0}", "Hello,",
            "please confirm that we may contact you about {0} by {1}.", "Confirm",
            "The link works until {0} (UTC).", "If you did not ask for this, ignore this email: nothing happens without your confirmation."),
        ["de"] = new("Bitte bestätigen: {0}", "Hallo,",
            "bitte bestätigen Sie, dass wir Sie zum Thema {0} per {1} kontaktieren dürfen.", "Bestätigen",
            "Der Link gilt bis {0} (UTC).", "Falls Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: ohne Ihre Bestätigung geschieht nichts."),
    };

    private static readonly Dictionary<string, Dictionary<string, string>> Words = new(StringComparer.OrdinalIgnoreCase)
    {
        ["en"] = new() { ["newsletter"] = "our newsletter", ["product-updates"] = "product updates", ["events"] = "events", ["email"] = "email", ["phone"] = "phone", ["post"] = "post", ["sms"] = "SMS" },
        ["de"] = new() { ["newsletter"] = "Newsletter", ["product-updates"] = "Produktneuigkeiten", ["events"] = "Veranstaltungen", ["email"] = "E-Mail", ["phone"] = "Telefon", ["post"] = "Post", ["sms"] = "SMS" },
    };

    public sealed record Content(string Language, string Subject, string Text, string Html);

    public static Content Compose(string? personLanguage, string purpose, string channel, string link, DateTime expiresAt)
    {
        var language = LanguageOf(personLanguage);
        var texts = Translations[language];
        var words = Words[language];
        var what = words.GetValueOrDefault(purpose, purpose);
        var how = words.GetValueOrDefault(channel, channel);
        var ask = string.Format(texts.Ask, what, how);
        var expiry = string.Format(texts.Expiry, expiresAt.ToString("yyyy-MM-dd HH:mm"));
        var subject = string.Format(texts.Subject, what);

        var text = $"{texts.Greeting}\r\n\r\n{ask}\r\n\r\n{texts.Button}: {link}\r\n\r\n{expiry}\r\n{texts.Ignore}\r\n";
        var e = HtmlEncoder.Default;
        var html = $"""
            <!DOCTYPE html>
            <html lang="{language}"><head><meta charset="utf-8"><title>{e.Encode(subject)}</title></head>
            <body style="font-family:sans-serif">
            <p>{e.Encode(texts.Greeting)}</p>
            <p>{e.Encode(ask)}</p>
            <p><a href="{e.Encode(link)}" style="background:#2456c8;color:#fff;padding:.6em 1.2em;border-radius:4px;text-decoration:none">{e.Encode(texts.Button)}</a></p>
            <p style="color:#555">{e.Encode(expiry)}<br>{e.Encode(texts.Ignore)}</p>
            </body></html>
            """;
        return new Content(language, subject, text, html);
    }

    private static string LanguageOf(string? tag) =>
        tag?.Split('-')[0] is { } primary && Translations.ContainsKey(primary) ? primary.ToLowerInvariant() : "en";
}
