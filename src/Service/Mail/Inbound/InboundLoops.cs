using MimeKit;

namespace CrmPlatform.Service.Mail.Inbound;

/// <summary>
/// Mail a machine wrote, which must never open a ticket or add to one: an answer to it (the desk's acknowledgement, an
/// agent's reply) would go back to a machine that may answer again, a loop. RFC 3834 (Auto-Submitted), the common
/// vendor headers, bounces (null reverse path, MAILER-DAEMON, multipart/report) and mailing lists (a list's post is
/// not a customer's request, and answering it would mail every member).
/// </summary>
public static class InboundLoops
{
    private static readonly string[] BulkPrecedences = ["bulk", "junk", "list", "auto_reply"];
    private static readonly string[] DaemonUsers = ["mailer-daemon", "postmaster"];

    /// <summary>Why the message is dropped, or null for a person's mail. The tenant's own addresses are checked by the caller.</summary>
    public static string? ReasonToDrop(MimeMessage message, string? reversePath)
    {
        if (string.IsNullOrEmpty(reversePath))
        {
            return "null-reverse-path";
        }
        var headers = message.Headers;
        if (headers[HeaderId.AutoSubmitted] is { } autoSubmitted && !autoSubmitted.Trim().StartsWith("no", StringComparison.OrdinalIgnoreCase))
        {
            return "auto-submitted";
        }
        if (headers.Contains("X-Autoreply") || headers.Contains("X-Autorespond") || (headers.Contains("X-Auto-Response-Suppress") && IsOofReply(message)))
        {
            return "auto-reply";
        }
        if (headers["Precedence"] is { } precedence && BulkPrecedences.Contains(precedence.Trim().ToLowerInvariant()))
        {
            return "precedence";
        }
        if (headers.Contains(HeaderId.ListId) || headers.Contains(HeaderId.ListUnsubscribe))
        {
            return "mailing-list";
        }
        var from = message.From.Mailboxes.FirstOrDefault()?.Address ?? reversePath;
        if (IsDaemon(from) || IsDaemon(reversePath))
        {
            return "mailer-daemon";
        }
        if (message.Body is MultipartReport || message.Body?.ContentType.IsMimeType("multipart", "report") == true)
        {
            return "delivery-report";
        }
        return null;
    }

    // Outlook marks its own out-of-office replies with X-Auto-Response-Suppress too, but so do some people's clients:
    // only together with an automatic-reply subject is it a machine.
    private static bool IsOofReply(MimeMessage message) =>
        message.Subject?.StartsWith("Automatic reply:", StringComparison.OrdinalIgnoreCase) == true;

    private static bool IsDaemon(string? address) =>
        address is not null && address.IndexOf('@') is var at and > 0 && DaemonUsers.Contains(address[..at].ToLowerInvariant());
}
