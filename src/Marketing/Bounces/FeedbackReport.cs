using MimeKit;

namespace CrmPlatform.Marketing.Bounces;

/// <summary>
/// A feedback report in the Abuse Reporting Format (RFC 5965) as MimeKit parses it: a <c>multipart/report;
/// report-type=feedback-report</c> with a human-readable part, the <c>message/feedback-report</c> fields and the
/// reported message (<c>message/rfc822</c>) or its headers (<c>text/rfc822-headers</c>). Mailbox providers' feedback
/// loops send one when a person presses "this is spam".
/// </summary>
/// <param name="FeedbackType">The report's <c>Feedback-Type</c> (<c>abuse</c>, <c>fraud</c>, <c>not-spam</c>, …), lower case.</param>
/// <param name="OriginalMailFrom">
/// <c>Original-Mail-From</c>: the reported message's envelope sender, for us <c>bounces+token@domain</c>.
/// </param>
/// <param name="ReturnPath">The reported message's <c>Return-Path</c> header (its envelope sender as delivered), if returned.</param>
/// <param name="OriginalMessageId">The reported message's Message-ID, if its headers were returned.</param>
/// <param name="UserAgent">The reporting system (<c>User-Agent</c>, required by RFC 5965), kept as evidence.</param>
public sealed record FeedbackReport(string FeedbackType, string? OriginalMailFrom, string? ReturnPath, string? OriginalMessageId, string? UserAgent)
{
    /// <summary>
    /// A complaint by the person: <c>abuse</c> (they reported it as spam) or <c>fraud</c> (they reported it as a scam or
    /// phishing; it is still their own report about the message we sent them, matched by our signed token or Message-ID,
    /// so a forgery in our name matches nothing). Not <c>not-spam</c> (the opposite), <c>virus</c> and
    /// <c>auth-failure</c> (a filter's findings, not the person's wish) or <c>other</c> (unknown meaning).
    /// </summary>
    public bool IsComplaint => FeedbackType is "abuse" or "fraud";

    /// <summary>The report in <paramref name="message"/>; null for any other mail (a DSN, an auto-reply, spam).</summary>
    public static FeedbackReport? From(MimeMessage message)
    {
        var report = message.Body as MultipartReport ?? message.BodyParts.OfType<MultipartReport>().FirstOrDefault();
        if (report is null || !"feedback-report".Equals(report.ReportType, StringComparison.OrdinalIgnoreCase)
            || report.OfType<MessageFeedbackReport>().FirstOrDefault() is not { } feedback)
        {
            return null;
        }
        var original = report.OfType<MessagePart>().FirstOrDefault()?.Message;
        return new FeedbackReport(
            (feedback.Fields["Feedback-Type"] ?? "").Trim().ToLowerInvariant(),
            Address(feedback.Fields["Original-Mail-From"]),
            Address(original?.Headers[HeaderId.ReturnPath]),
            original?.MessageId,
            feedback.Fields["User-Agent"]?.Trim());
    }

    /// <summary>The address of <c>&lt;bounces+…@domain&gt;</c>; null for none or the null path <c>&lt;&gt;</c>.</summary>
    private static string? Address(string? field)
    {
        var address = field?.Trim().Trim('<', '>').Trim();
        return string.IsNullOrEmpty(address) ? null : address;
    }
}
