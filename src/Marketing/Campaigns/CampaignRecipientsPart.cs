using CrmPlatform.Marketing.Data;
using CrmPlatform.Persistence.Gdpr;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Marketing.Campaigns;

/// <summary>
/// The person in campaigns: each campaign they were addressed (address, outcome, opens, clicks, unsubscribe, spam
/// complaint), every open and click (with the URL), their profile copy, and the suppression of their address. Erasure removes the address from
/// their recipient rows and the engagement rows (the counts of opens and clicks stay in the recipient rows' times, which
/// name nobody once the address is gone), the profile's names and language, and the suppression (an erased person has
/// no consent left to send on).
/// </summary>
public sealed class CampaignRecipientsPart : IPersonalDataPart<MarketingDbContext>
{
    public string Name => "campaigns";

    public async Task<object?> CollectAsync(MarketingDbContext db, Guid personId, CancellationToken cancellationToken)
    {
        var recipients = await db.CampaignRecipients.AsNoTracking().Where(r => r.PersonId == personId).OrderBy(r => r.CreatedAt)
            .Select(r => new { r.CampaignId, r.Email, r.Status, r.SkipReason, r.MessageId, r.SentAt, r.BouncedAt, r.FirstOpenedAt, r.FirstClickedAt, r.UnsubscribedAt, r.ComplainedAt })
            .ToListAsync(cancellationToken);
        var recipientIds = await db.CampaignRecipients.Where(r => r.PersonId == personId).Select(r => r.Id).ToListAsync(cancellationToken);
        var engagements = await db.CampaignEngagements.AsNoTracking().Where(e => recipientIds.Contains(e.RecipientId)).OrderBy(e => e.OccurredAt)
            .Select(e => new { e.CampaignId, e.Kind, e.Url, e.OccurredAt }).ToListAsync(cancellationToken);
        var profile = await db.RecipientProfiles.AsNoTracking().Where(p => p.Id == personId)
            .Select(p => new { p.FirstName, p.LastName, p.Language, p.DoNotEmail }).SingleOrDefaultAsync(cancellationToken);
        var emails = await EmailsAsync(db, personId, cancellationToken);
        var suppressions = await db.Suppressions.AsNoTracking().Where(s => emails.Contains(s.Email))
            .Select(s => new { s.Email, s.Reason, s.CampaignId, s.CreatedAt }).ToListAsync(cancellationToken);
        return recipients.Count == 0 && profile is null && suppressions.Count == 0
            ? null
            : new { recipients, engagements, profile, suppressions };
    }

    public async Task<int> EraseAsync(MarketingDbContext db, Guid personId, DateTime now, CancellationToken cancellationToken)
    {
        var emails = await EmailsAsync(db, personId, cancellationToken);
        var recipientIds = await db.CampaignRecipients.Where(r => r.PersonId == personId).Select(r => r.Id).ToListAsync(cancellationToken);
        var erased = await db.CampaignEngagements.Where(e => recipientIds.Contains(e.RecipientId)).ExecuteDeleteAsync(cancellationToken);
        erased += await db.CampaignRecipients.Where(r => r.PersonId == personId)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Email, (string?)null), cancellationToken);
        erased += await db.Suppressions.Where(s => emails.Contains(s.Email)).ExecuteDeleteAsync(cancellationToken);
        erased += await db.RecipientProfiles.Where(p => p.Id == personId).ExecuteUpdateAsync(s => s
            .SetProperty(p => p.FirstName, (string?)null).SetProperty(p => p.LastName, (string?)null)
            .SetProperty(p => p.Language, (string?)null).SetProperty(p => p.Erased, true), cancellationToken);
        return erased;
    }

    /// <summary>The addresses campaigns used for the person, and the directory's (read before anything here is erased).</summary>
    private static async Task<List<string>> EmailsAsync(MarketingDbContext db, Guid personId, CancellationToken cancellationToken)
    {
        var used = await db.CampaignRecipients.Where(r => r.PersonId == personId && r.Email != null).Select(r => r.Email!).Distinct().ToListAsync(cancellationToken);
        var current = await db.DirectoryContacts.Where(c => c.Id == personId).Select(c => c.Email).SingleOrDefaultAsync(cancellationToken);
        return used.Append(current).OfType<string>().Select(Suppression.Normalize).Distinct().ToList();
    }
}
