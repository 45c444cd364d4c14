using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using System.Text.Unicode;
using CrmPlatform.Mail.Smtp;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrmPlatform.Mail.Apis;

/// <summary>
/// The pages a developer reads mail on: plain server-rendered HTML, no script, everything from a message escaped (mail
/// is untrusted input), so a strict content security policy costs nothing. A message's HTML part is never rendered
/// here; it is in the JSON and the .eml.
/// </summary>
public static partial class MailPages
{
    // Names and subjects stay readable in any script; only what HTML treats specially is escaped.
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    public static IEndpointRouteBuilder MapMailPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", MailListPage);
        app.MapGet("/messages/{id:guid}", MailPage);
        return app;
    }

    public static ContentHttpResult MailListPage(MailStore store, SmtpListener smtp, HttpContext context)
    {
        var messages = store.Messages;
        var rows = new StringBuilder();
        foreach (var mail in messages)
        {
            var summary = MailSummary.Of(mail);
            // The To: header, or the envelope when the message names nobody (Bcc only).
            var to = summary.To.Count > 0 ? summary.To : summary.EnvelopeTo;
            rows.Append(CultureInfo.InvariantCulture, $"""
                <tr><td>{Time(summary.ReceivedAt)}</td><td>{Encode(summary.From)}</td><td>{Encode(string.Join(", ", to))}</td><td><a href="/messages/{summary.Id}">{Encode(Subject(summary.Subject))}</a></td></tr>

                """);
        }
        if (messages.Count == 0)
        {
            rows.Append("<tr><td colspan=\"4\" class=\"hint\">No mail received yet.</td></tr>");
        }
        return Page(context, StatusCodes.Status200OK, "Mail", $"""
            <h1>Mail</h1>
            <p class="hint">{messages.Count} of at most {store.Capacity} messages received on SMTP 127.0.0.1:{smtp.Port}, newest first. As JSON: <a href="/api/mail">/api/mail</a>.</p>
            <table data-testid="mail-list">
            <thead><tr><th>Received</th><th>From</th><th>To</th><th>Subject</th></tr></thead>
            <tbody>
            {rows}</tbody>
            </table>
            """);
    }

    public static ContentHttpResult MailPage(MailStore store, Guid id, HttpContext context)
    {
        if (store.Find(id) is not { } mail)
        {
            return Page(context, StatusCodes.Status404NotFound, "Not found",
                "<p><a href=\"/\">All mail</a></p><h1>Not found</h1><p>No such message: it may have been deleted, or dropped as the store filled up.</p>");
        }
        var summary = MailSummary.Of(mail);
        var message = mail.Message;
        var headers = new StringBuilder();
        headers.Append(CultureInfo.InvariantCulture, $"<tr><th>Received</th><td>{Time(summary.ReceivedAt)}</td></tr>\n");
        headers.Append(CultureInfo.InvariantCulture, $"<tr><th>Envelope from</th><td>{Encode(summary.EnvelopeFrom)}</td></tr>\n");
        headers.Append(CultureInfo.InvariantCulture, $"<tr><th>Envelope to</th><td>{Encode(string.Join(", ", summary.EnvelopeTo))}</td></tr>\n");
        foreach (var header in message.Headers)
        {
            headers.Append(CultureInfo.InvariantCulture, $"<tr><th>{Encode(header.Field)}</th><td>{Encode(header.Value)}</td></tr>\n");
        }
        var text = message.TextBody is { } body
            ? $"<pre data-testid=\"mail-text\">{Linked(body)}</pre>"
            : "<p class=\"hint\" data-testid=\"mail-text\">This message has no text part.</p>";
        return Page(context, StatusCodes.Status200OK, Subject(summary.Subject), $"""
            <p><a href="/">All mail</a> · <a href="/api/mail/{id}/raw" download>Download .eml</a> ({summary.Size:N0} bytes)</p>
            <h1>{Encode(Subject(summary.Subject))}</h1>
            <table class="headers">
            {headers}</table>
            <h2>Text</h2>
            {text}
            """);
    }

    /// <summary>The text with its web addresses as links, the way a mail program shows them; all of it escaped.</summary>
    private static string Linked(string text)
    {
        var html = new StringBuilder();
        var at = 0;
        foreach (Match url in WebAddress().Matches(text))
        {
            html.Append(EncodeLines(text[at..url.Index]));
            var href = Encode(url.Value);
            html.Append(CultureInfo.InvariantCulture, $"<a href=\"{href}\" rel=\"noopener noreferrer\">{href}</a>");
            at = url.Index + url.Length;
        }
        return html.Append(EncodeLines(text[at..])).ToString();
    }

    // Line breaks stay literal: the encoder would write them (CRs too) as character references.
    private static string EncodeLines(string text) =>
        string.Join('\n', text.ReplaceLineEndings("\n").Split('\n').Select(line => Html.Encode(line)));

    // Up to whitespace or a character that cannot end an address in running text (a full stop or a closing bracket).
    [GeneratedRegex(@"https?://[^\s<>""]*[^\s<>"".,;:!?)\]']")]
    private static partial Regex WebAddress();

    private static string Subject(string? subject) => string.IsNullOrWhiteSpace(subject) ? "(no subject)" : subject;

    private static string Time(DateTimeOffset at) =>
        $"<time datetime=\"{at.UtcDateTime:O}\">{at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC</time>";

    private static string Encode(string? value) => Html.Encode(value ?? "");

    // Mail carries links with tokens: HtmlPage keeps it out of caches, Referers and frames.
    private static ContentHttpResult Page(HttpContext context, int status, string title, string body) =>
        HtmlPage.Render(context, status, title, body, Style);

    private const string Style = """
        body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1d1d1f; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; vertical-align: top; padding: .35rem .6rem; border-bottom: 1px solid #e3e3e8; }
        .headers th { white-space: nowrap; width: 1%; font-weight: 600; }
        td { overflow-wrap: anywhere; }
        pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f6f6f8; padding: 1rem; }
        .hint { color: #666; }
        """;
}
