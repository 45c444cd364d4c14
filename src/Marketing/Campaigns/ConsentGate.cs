using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Marketing.Data;
using CrmPlatform.Persistence.Gdpr;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Marketing.Campaigns;

/// <summary>Whether one recipient may be sent the campaign, and why not.</summary>
public sealed record GateDecision(bool Allowed, string Reason, string? FirstName, string? LastName, string? Language);

/// <summary>
/// The consent gate, per recipient at send time, failing closed: the platform's one rule for direct marketing
/// (<see cref="DirectMarketingRule"/>: objection, restriction, then the consent for the purpose on email, which says no
/// for no record, withdrawn, pending, expired or not yet valid), and before it what only campaigns know: an address at
/// all, do-not-email, erasure, deletion and the suppression list. Decides a batch in four queries.
/// </summary>
public static class ConsentGate
{
    /// <summary>Campaigns are email.</summary>
    public const string EmailChannel = "email";

    public static async Task<Dictionary<Guid, GateDecision>> DecideAsync(
        MarketingDbContext db, string purpose, IReadOnlyCollection<CampaignRecipient> recipients, DateTime now, CancellationToken cancellationToken)
    {
        var people = recipients.Select(r => r.PersonId).ToList();
        var emails = recipients.Where(r => r.Email is not null).Select(r => Suppression.Normalize(r.Email!)).Distinct().ToList();
        var contacts = await db.DirectoryContacts.AsNoTracking().Where(c => people.Contains(c.Id))
            .Select(c => new { c.Id, c.IsDeleted, c.ObjectsToDirectMarketing, c.ProcessingRestricted })
            .ToDictionaryAsync(c => c.Id, cancellationToken);
        var profiles = await db.RecipientProfiles.AsNoTracking().Where(p => people.Contains(p.Id)).ToDictionaryAsync(p => p.Id, cancellationToken);
        var consents = await db.ConsentReplicas.AsNoTracking()
            .Where(c => people.Contains(c.PersonId) && c.Purpose == purpose && c.Channel == EmailChannel)
            .ToDictionaryAsync(c => c.PersonId, cancellationToken);
        var suppressed = (await db.Suppressions.AsNoTracking().Where(s => emails.Contains(s.Email)).Select(s => s.Email).ToListAsync(cancellationToken))
            .ToHashSet();

        var decisions = new Dictionary<Guid, GateDecision>(recipients.Count);
        foreach (var recipient in recipients)
        {
            var profile = profiles.GetValueOrDefault(recipient.PersonId);
            GateDecision Skip(string reason) => new(false, reason, null, null, null);
            try
            {
                var contact = contacts.GetValueOrDefault(recipient.PersonId);
                decisions[recipient.Id] =
                    contact is null || contact.IsDeleted ? Skip(SkipReasons.Deleted)
                    : profile?.Erased == true ? Skip(SkipReasons.Erased)
                    : string.IsNullOrWhiteSpace(recipient.Email) ? Skip(SkipReasons.NoEmail)
                    : profile?.DoNotEmail == true ? Skip(SkipReasons.DoNotEmail)
                    : suppressed.Contains(Suppression.Normalize(recipient.Email)) ? Skip(SkipReasons.Suppressed)
                    : DirectMarketingRule.Decide(contact.ObjectsToDirectMarketing, contact.ProcessingRestricted,
                        consents.GetValueOrDefault(recipient.PersonId), now) is { Allowed: false } no ? Skip(no.Reason)
                    : new GateDecision(true, "granted", profile?.FirstName, profile?.LastName, profile?.Language);
            }
            catch (Exception)
            {
                decisions[recipient.Id] = Skip(SkipReasons.GateError);
            }
        }
        return decisions;
    }
}
