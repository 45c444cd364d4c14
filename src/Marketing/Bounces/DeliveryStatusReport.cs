using MimeKit;

namespace CrmPlatform.Marketing.Bounces;

/// <summary>One recipient's part of a DSN (RFC 3464 2.3).</summary>
/// <param name="Recipient">The address the report is about (Final-Recipient, else Original-Recipient), without its type.</param>
public sealed record RecipientDeliveryStatus(string? Recipient, string Action, string Status, string? Diagnostic)
{
    /// <summary>
    /// Failed for good: <c>Action: failed</c> with a permanent status (5.x.x, RFC 3463). A 4.x.x status, or
    /// <c>delayed</c>, <c>delivered</c>, <c>relayed</c> and <c>expanded</c>, is not a bounce: the mail system is still
    /// trying or succeeded, and the address must not be suppressed for it.
    /// </summary>
    public bool IsHardBounce => Action.Equals("failed", StringComparison.OrdinalIgnoreCase) && Status.StartsWith('5');
}

/// <summary>A delivery status notification as MimeKit parses it: a <c>multipart/report; report-type=delivery-status</c>.</summary>
/// <param name="OriginalMessageId">The Message-ID in the returned message or headers (the report's third part), if any.</param>
public sealed record DeliveryStatusReport(IReadOnlyList<RecipientDeliveryStatus> Recipients, string? OriginalMessageId)
{
    /// <summary>The report in <paramref name="message"/>; null for any other mail (an auto-reply, spam, a person writing).</summary>
    public static DeliveryStatusReport? From(MimeMessage message)
    {
        var report = message.Body as MultipartReport ?? message.BodyParts.OfType<MultipartReport>().FirstOrDefault();
        if (report is null || !"delivery-status".Equals(report.ReportType, StringComparison.OrdinalIgnoreCase)
            || report.OfType<MessageDeliveryStatus>().FirstOrDefault() is not { } status)
        {
            return null;
        }
        // The first group is about the message (Reporting-MTA, …); each further one about a recipient.
        var recipients = status.StatusGroups.Skip(1)
            .Select(group => new RecipientDeliveryStatus(
                Address(group["Final-Recipient"]) ?? Address(group["Original-Recipient"]),
                group["Action"]?.Trim() ?? "", group["Status"]?.Trim() ?? "", group["Diagnostic-Code"]?.Trim()))
            .ToList();
        var original = report.OfType<MessagePart>().FirstOrDefault()?.Message?.MessageId;
        return new DeliveryStatusReport(recipients, original);
    }

    /// <summary>The address of <c>rfc822; ada@example.com</c>.</summary>
    private static string? Address(string? field)
    {
        if (string.IsNullOrWhiteSpace(field))
        {
            return null;
        }
        var separator = field.IndexOf(';');
        var address = (separator >= 0 ? field[(separator + 1)..] : field).Trim().Trim('<', '>');
        return address.Length == 0 ? null : address;
    }
}
