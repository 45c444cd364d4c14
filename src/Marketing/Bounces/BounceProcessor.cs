using CrmPlatform.Marketing.Campaigns;
using CrmPlatform.Marketing.Data;
using CrmPlatform.Persistence.Outbox;
using CrmPlatform.ServiceDefaults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;

namespace CrmPlatform.Marketing.Bounces;

/// <summary>What became of a message to the bounce address.</summary>
public enum BounceOutcome
{
    /// <summary>A hard bounce of a sent recipient: counted and suppressed.</summary>
    Recorded,
    /// <summary>The same bounce again (a DSN sent twice): nothing changes.</summary>
    AlreadyRecorded,
    /// <summary>A DSN, but no permanent failure (delayed, 4.x.x, delivered).</summary>
    NotABounce,
    /// <summary>Not a delivery status report at all (an auto-reply, spam).</summary>
    NotADsn,
    /// <summary>A token that is not ours (forged, cut short), or no recipient to match.</summary>
    Unmatched,
    /// <summary>A spam complaint (ARF abuse report) about a sent recipient: suppressed, consent withdrawn.</summary>
    ComplaintRecorded,
    /// <summary>The same complaint again: nothing changes.</summary>
    ComplaintAlreadyRecorded,
    /// <summary>A feedback report that is no complaint (<c>not-spam</c>, <c>virus</c>, <c>auth-failure</c>, <c>other</c>).</summary>
    NotAComplaint,
}

/// <summary>
/// Matches a DSN to the recipient whose message failed and records the hard bounce as the API does
/// (<see cref="CampaignBounces"/>). The recipient comes from the signed token in the address the DSN was sent to; a
/// mail system that dropped the <c>+token</c> still returns the original Message-ID, which names the recipient too,
/// and is believed only when the report's recipient address is the one that message went to.
/// <para>
/// A spam complaint (an RFC 5965 abuse report, <see cref="FeedbackReport"/>) is matched by a signed token too: in the
/// address the report was sent to, else in the reported message's envelope sender (<c>Original-Mail-From</c>, or its
/// <c>Return-Path</c>); without any, by our Message-ID alone, without the address check bounces have. Providers
/// redact the complaining recipient's address in their reports (RFC 6590), so requiring it would drop most real
/// complaints, and the check would protect nothing here: the Message-ID is unguessable and travels only in that
/// recipient's copy of the email, next to its <c>List-Unsubscribe</c> link, with which anyone holding the copy can
/// already suppress the address and withdraw the consent. A report with a token that is not ours, or with a
/// Message-ID we did not give a sent recipient, changes nothing.
/// </para>
/// </summary>
public sealed partial class BounceProcessor(
    MarketingDbContext db, TenantContext tenant, CampaignTokens tokens, IOptions<BounceOptions> options, IOptions<CampaignSettings> campaigns,
    OutboxSignal outbox, TimeProvider clock, ILogger<BounceProcessor> logger)
{
    public async Task<BounceOutcome> ProcessAsync(IReadOnlyList<string> envelopeRecipients, MimeMessage message, CancellationToken cancellationToken)
    {
        if (FeedbackReport.From(message) is { } feedback)
        {
            return await ComplaintAsync(envelopeRecipients, message, feedback, cancellationToken);
        }
        if (DeliveryStatusReport.From(message) is not { } report)
        {
            LogIgnored(logger, message.MessageId, "not a delivery status notification");
            return BounceOutcome.NotADsn;
        }
        if (report.Recipients.FirstOrDefault(r => r.IsHardBounce) is not { } failed)
        {
            LogIgnored(logger, message.MessageId, "no permanent failure in it");
            return BounceOutcome.NotABounce;
        }
        var tokenised = envelopeRecipients.Select(Token).Where(t => t is not null).ToList();
        var recipient = tokenised.Count > 0
            ? await ByTokenAsync(tokenised, cancellationToken)
            : await ByMessageIdAsync(report.OriginalMessageId, failed.Recipient, cancellationToken);
        if (recipient is null)
        {
            LogIgnored(logger, message.MessageId, tokenised.Count > 0 ? "a token that is not ours" : "no token, and no message of ours in it");
            return BounceOutcome.Unmatched;
        }
        tenant.TenantId = recipient.TenantId;
        tenant.ActorId = null;
        var diagnostic = string.Join(' ', new[] { failed.Status, failed.Diagnostic }.Where(p => !string.IsNullOrEmpty(p)));
        var recorded = await CampaignBounces.RecordAsync(db, recipient, diagnostic, clock.GetUtcNow().UtcDateTime, cancellationToken);
        LogBounced(logger, recipient.CampaignId, recipient.Id, failed.Status, recorded);
        return recorded ? BounceOutcome.Recorded : BounceOutcome.AlreadyRecorded;
    }

    private async Task<BounceOutcome> ComplaintAsync(
        IReadOnlyList<string> envelopeRecipients, MimeMessage message, FeedbackReport feedback, CancellationToken cancellationToken)
    {
        if (!feedback.IsComplaint)
        {
            LogIgnored(logger, message.MessageId, $"a feedback report of type '{feedback.FeedbackType}', not a complaint");
            return BounceOutcome.NotAComplaint;
        }
        // The first place that carries a token decides: the address the report came to, else the reported envelope sender.
        var tokenised = envelopeRecipients.Select(Token).Where(t => t is not null).ToList();
        if (tokenised.Count == 0)
        {
            tokenised = new[] { feedback.OriginalMailFrom, feedback.ReturnPath }.Where(OnBounceDomain).Select(a => Token(a!)).Where(t => t is not null).ToList();
        }
        var recipient = tokenised.Count > 0
            ? await ByTokenAsync(tokenised, cancellationToken)
            : OwnMessageId(feedback.OriginalMessageId) is { } id
                ? await SentAsync(r => r.Id == id && r.MessageId == feedback.OriginalMessageId, cancellationToken)
                : null;
        if (recipient is null || recipient.Email is null)
        {
            // An erased person's row has no address left: nothing to suppress or withdraw.
            LogIgnored(logger, message.MessageId, tokenised.Count > 0
                ? "a complaint with a token that is not ours (or an erased person's)"
                : "a complaint about no message of ours (or an erased person's)");
            return BounceOutcome.Unmatched;
        }
        tenant.TenantId = recipient.TenantId;
        tenant.ActorId = null;
        var campaign = await db.Campaigns.AsNoTracking().SingleAsync(c => c.Id == recipient.CampaignId, cancellationToken);
        var recorded = await CampaignComplaints.RecordAsync(db, recipient, campaign, feedback.FeedbackType, feedback.UserAgent,
            clock.GetUtcNow().UtcDateTime, cancellationToken);
        if (recorded)
        {
            outbox.Notify();
        }
        LogComplained(logger, recipient.CampaignId, recipient.Id, feedback.FeedbackType, recorded);
        return recorded ? BounceOutcome.ComplaintRecorded : BounceOutcome.ComplaintAlreadyRecorded;
    }

    private bool OnBounceDomain(string? address)
    {
        var at = address?.LastIndexOf('@') ?? -1;
        return at >= 0 && address![(at + 1)..].Equals(options.Value.Domain, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The token of <c>bounces+token@domain</c>; null for <c>bounces@domain</c>.</summary>
    private string? Token(string address)
    {
        var at = address.LastIndexOf('@');
        var local = at < 0 ? address : address[..at];
        var prefix = options.Value.LocalPart + "+";
        return local.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? local[prefix.Length..] : null;
    }

    /// <summary>A sent recipient by a token we signed; a forged or mangled token matches nobody.</summary>
    private async Task<CampaignRecipient?> ByTokenAsync(List<string?> tokenised, CancellationToken cancellationToken)
    {
        foreach (var token in tokenised)
        {
            if (tokens.ReadBounce(token) is { } id
                && await SentAsync(r => r.Id == id, cancellationToken) is { } recipient)
            {
                return recipient;
            }
        }
        return null;
    }

    /// <summary>
    /// A sent recipient by the Message-ID the sender gave it (<c>recipient id in hex @ Marketing:Campaigns:MessageIdDomain</c>),
    /// only when the report names that recipient's address: the Message-ID is in every copy of the email, so alone it
    /// would let its reader report someone else's bounce if it ever reached them.
    /// </summary>
    private async Task<CampaignRecipient?> ByMessageIdAsync(string? messageId, string? reported, CancellationToken cancellationToken)
    {
        if (reported is null || OwnMessageId(messageId) is not { } id)
        {
            return null;
        }
        var address = reported.Trim().ToLowerInvariant();
        return await SentAsync(r => r.Id == id && r.MessageId == messageId && r.Email != null && r.Email.ToLower() == address, cancellationToken);
    }

    /// <summary>The recipient id in a Message-ID of ours (<c>id in hex @ MessageIdDomain</c>); null for anyone else's.</summary>
    private Guid? OwnMessageId(string? messageId)
    {
        var at = messageId?.LastIndexOf('@') ?? -1;
        return at >= 0 && messageId![(at + 1)..].Equals(campaigns.Value.MessageIdDomain, StringComparison.OrdinalIgnoreCase)
            && Guid.TryParseExact(messageId[..at], "N", out var id)
            ? id
            : null;
    }

    private Task<CampaignRecipient?> SentAsync(System.Linq.Expressions.Expression<Func<CampaignRecipient, bool>> match, CancellationToken cancellationToken) =>
        // Any tenant's: the token or Message-ID names the recipient, and the recipient the tenant.
        db.CampaignRecipients.IgnoreQueryFilters().Where(match).SingleOrDefaultAsync(r => r.Status == RecipientStatuses.Sent, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bounce mail {MessageId} ignored: {Reason}")]
    private static partial void LogIgnored(ILogger logger, string? messageId, string reason);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Campaign {CampaignId}: recipient {RecipientId} bounced ({Status}) by DSN; the address is suppressed (new: {First})")]
    private static partial void LogBounced(ILogger logger, Guid campaignId, Guid recipientId, string status, bool first);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Campaign {CampaignId}: recipient {RecipientId} complained ({FeedbackType}); the address is suppressed (new: {First})")]
    private static partial void LogComplained(ILogger logger, Guid campaignId, Guid recipientId, string feedbackType, bool first);
}
