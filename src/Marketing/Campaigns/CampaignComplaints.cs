using CrmPlatform.Contracts.Marketing.V1;
using CrmPlatform.Marketing.Apis;
using CrmPlatform.Marketing.Data;

namespace CrmPlatform.Marketing.Campaigns;

/// <summary>
/// A spam complaint about a sent campaign or journey email (an abuse report from the person's mailbox provider, see
/// <see cref="Bounces.FeedbackReport"/>).
/// </summary>
public static class CampaignComplaints
{
    /// <summary>
    /// Records the complaint on the recipient, suppresses the address with reason <c>complaint</c> (an address already
    /// suppressed keeps its first reason) and publishes <see cref="Unsubscribed"/> via <c>complaint</c>, in one save.
    /// A complaint is the most explicit "stop" there is, so it does what the unsubscribe link does, through the same
    /// event: Contacts withdraws the consent for the campaign's purpose on email, recorded as a spam complaint; the
    /// suppression already keeps every later campaign and journey email of the tenant from the address. Idempotent: a
    /// second report about the same recipient changes nothing. False when the recipient had complained already. The
    /// caller has set the tenant and notifies the outbox.
    /// </summary>
    public static async Task<bool> RecordAsync(
        MarketingDbContext db, CampaignRecipient recipient, Campaign campaign, string feedbackType, string? reporter, DateTime now,
        CancellationToken cancellationToken)
    {
        if (recipient.ComplainedAt is not null || recipient.Email is not { } email)
        {
            return false;
        }
        recipient.ComplainedAt = now;
        var note = $"Spam complaint ({feedbackType}){(string.IsNullOrWhiteSpace(reporter) ? "" : $" reported by {reporter.Trim()}")}";
        await SuppressionsApi.SuppressAsync(db, email, SuppressionReasons.Complaint, campaign.Id, Clip(note, 500), now, cancellationToken);
        db.AddEvent(new Unsubscribed(Guid.CreateVersion7(), now, recipient.TenantId, recipient.Id, 1, campaign.Id, campaign.Name, recipient.PersonId,
            email, campaign.Purpose, ConsentGate.EmailChannel, now, null, Clip(reporter?.Trim(), 500))
        {
            Via = UnsubscribeVia.Complaint,
        });
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    private static string? Clip(string? value, int length) => string.IsNullOrEmpty(value) ? null : value.Length > length ? value[..length] : value;
}
