using CrmPlatform.Marketing.Campaigns;
using CrmPlatform.Marketing.Data;
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
}

/// <summary>
/// Matches a DSN to the recipient whose message failed and records the hard bounce as the API does
/// (<see cref="CampaignBounces"/>). The recipient comes from the signed token in the address the DSN was sent to; a
/// mail system that dropped the <c>+token</c> still returns the original Message-ID, which names the recipient too,
/// and is believed only when the report's recipient address is the one that message went to.
/// </summary>
public sealed partial class BounceProcessor(
    MarketingDbContext db, TenantContext tenant, CampaignTokens tokens, IOptions<BounceOptions> options, IOptions<CampaignSettings> campaigns,
    TimeProvider clock, ILogger<BounceProcessor> logger)
{
    public async Task<BounceOutcome> ProcessAsync(IReadOnlyList<string> envelopeRecipients, MimeMessage message, CancellationToken cancellationToken)
    {
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
        var at = messageId?.LastIndexOf('@') ?? -1;
        if (at < 0 || reported is null || !messageId![(at + 1)..].Equals(campaigns.Value.MessageIdDomain, StringComparison.OrdinalIgnoreCase)
            || !Guid.TryParseExact(messageId[..at], "N", out var id))
        {
            return null;
        }
        var address = reported.Trim().ToLowerInvariant();
        return await SentAsync(r => r.Id == id && r.MessageId == messageId && r.Email != null && r.Email.ToLower() == address, cancellationToken);
    }

    private Task<CampaignRecipient?> SentAsync(System.Linq.Expressions.Expression<Func<CampaignRecipient, bool>> match, CancellationToken cancellationToken) =>
        // Any tenant's: the token or Message-ID names the recipient, and the recipient the tenant.
        db.CampaignRecipients.IgnoreQueryFilters().Where(match).SingleOrDefaultAsync(r => r.Status == RecipientStatuses.Sent, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bounce mail {MessageId} ignored: {Reason}")]
    private static partial void LogIgnored(ILogger logger, string? messageId, string reason);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Campaign {CampaignId}: recipient {RecipientId} bounced ({Status}) by DSN; the address is suppressed (new: {First})")]
    private static partial void LogBounced(ILogger logger, Guid campaignId, Guid recipientId, string status, bool first);
}
