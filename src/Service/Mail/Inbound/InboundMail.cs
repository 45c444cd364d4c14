using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using MimeKit;

namespace CrmPlatform.Service.Mail.Inbound;

/// <summary>What the desk takes from a received message: who, what about, the text, its files, and the ids that thread it.</summary>
public sealed partial record InboundMail(
    string? FromAddress, string? FromName, string Subject, string Body, string MessageId, IReadOnlyList<string> ThreadIds,
    string? LoopReason, IReadOnlyList<InboundFile> Files)
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
            message.Subject?.Trim() ?? "", BodyOf(message), messageId, [.. threadIds.Distinct()], InboundLoops.ReasonToDrop(message, reversePath),
            [.. message.Attachments.Select(FileOf)]);
    }

    /// <summary>
    /// An attached part as it arrived (decoded from its transfer encoding). Inline parts (a signature's logo) are not
    /// attachments; a forwarded message is, as <c>message/rfc822</c>, which tickets then refuse like any other type.
    /// </summary>
    private static InboundFile FileOf(MimeEntity entity)
    {
        using var content = new MemoryStream();
        if (entity is MimePart part)
        {
            part.Content?.DecodeTo(content);
        }
        else if (entity is MessagePart forwarded)
        {
            forwarded.Message?.WriteTo(content);
        }
        var name = entity.ContentDisposition?.FileName ?? entity.ContentType.Name;
        return new InboundFile(name, entity.ContentType.MimeType, content.ToArray());
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

/// <param name="FileName">As the sender named it; only ever shown (<see cref="Tickets.FileSignatures.SafeFileName"/>).</param>
/// <param name="ContentType">What the sender declared; the bytes decide.</param>
public sealed record InboundFile(string? FileName, string ContentType, byte[] Content);
