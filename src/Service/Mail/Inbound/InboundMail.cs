using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using MimeKit;

namespace CrmPlatform.Service.Mail.Inbound;

/// <summary>What the desk takes from a received message: who, what about, the text, and the ids that thread it.</summary>
public sealed partial record InboundMail(
    string? FromAddress, string? FromName, string Subject, string Body, string MessageId, IReadOnlyList<string> ThreadIds,
    string? LoopReason)
{
    public static InboundMail Parse(MimeMessage message, string? reversePath, byte[] raw)
    {
        var from = message.From.Mailboxes.FirstOrDefault() ?? message.Sender;
        // No Message-ID: one made from the bytes, so a retry of the same message is still recognised.
        var messageId = string.IsNullOrWhiteSpace(message.MessageId)
            ? $"<{Convert.ToHexStringLower(SHA256.HashData(raw))[..40]}@inbound.invalid>"
            : $"<{message.MessageId.Trim('<', '>')}>";
        var threadIds = new List<string>();
        if (!string.IsNullOrWhiteSpace(message.InReplyTo))
        {
            threadIds.Add($"<{message.InReplyTo.Trim('<', '>')}>");
        }
        threadIds.AddRange(message.References.Select(r => $"<{r.Trim('<', '>')}>"));
        return new InboundMail(from?.Address?.Trim().ToLowerInvariant(), string.IsNullOrWhiteSpace(from?.Name) ? null : from.Name.Trim(),
            message.Subject?.Trim() ?? "", BodyOf(message), messageId, [.. threadIds.Distinct()], InboundLoops.ReasonToDrop(message, reversePath));
    }

    /// <summary>The ticket number in a subject such as <c>Re: [#1042] Printer on fire</c>.</summary>
    public long? TicketNumber => TicketReference().Match(Subject) is { Success: true } match && long.TryParse(match.Groups[1].Value, out var number)
        ? number : null;

    private static string BodyOf(MimeMessage message)
    {
        if (message.TextBody is { } text)
        {
            return text.Trim();
        }
        return message.HtmlBody is { } html ? TextOfHtml(html) : "";
    }

    /// <summary>Simply: no scripts or styles, line breaks where blocks end, no tags, entities decoded.</summary>
    private static string TextOfHtml(string html)
    {
        var text = Invisible().Replace(html, "");
        text = BlockEnd().Replace(text, "\n");
        text = Tag().Replace(text, "");
        text = WebUtility.HtmlDecode(text);
        return BlankLines().Replace(text, "\n\n").Trim();
    }

    [GeneratedRegex(@"\[#(\d{1,18})\]")]
    private static partial Regex TicketReference();

    [GeneratedRegex(@"<(script|style|head)\b[^>]*>.*?</\1\s*>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex Invisible();

    [GeneratedRegex(@"<br\s*/?>|</(p|div|li|tr|h[1-6])\s*>", RegexOptions.IgnoreCase)]
    private static partial Regex BlockEnd();

    [GeneratedRegex(@"<[^>]*>")]
    private static partial Regex Tag();

    [GeneratedRegex(@"\n\s*\n(\s*\n)+")]
    private static partial Regex BlankLines();
}
