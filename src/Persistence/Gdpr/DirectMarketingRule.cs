using CrmPlatform.Persistence.Consents;
using CrmPlatform.Persistence.ContactDirectory;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Persistence.Gdpr;

/// <summary>
/// What overrides consent for direct marketing: an objection (GDPR Art. 21(2) and (3): after it, the data may no longer
/// be processed for that purpose) and a restriction of processing (Art. 18: only storage, or uses the person agreed to).
/// Every purpose the platform knows (newsletter, product updates, events) is direct marketing.
/// </summary>
public static class DirectMarketingRule
{
    public const string Objected = "objected";
    public const string Restricted = "restricted";

    /// <summary>No when the person objected or restricted processing; otherwise the consent decides.</summary>
    public static async Task<ContactDecision> DecideAsync<TDbContext>(
        TDbContext db, Guid personId, string purpose, string channel, DateTime now, CancellationToken cancellationToken)
        where TDbContext : IContactDirectoryDbContext, IConsentReplicaDbContext
    {
        var person = await db.DirectoryContacts.AsNoTracking()
            .Where(c => c.Id == personId)
            .Select(c => new { c.ObjectsToDirectMarketing, c.ProcessingRestricted })
            .SingleOrDefaultAsync(cancellationToken);
        if (person?.ObjectsToDirectMarketing == true || person?.ProcessingRestricted == true)
        {
            return Decide(person.ObjectsToDirectMarketing, person.ProcessingRestricted, consent: null, now);
        }
        return await db.DecideContactAsync(personId, purpose, channel, now, cancellationToken);
    }

    /// <summary>
    /// The same rule for a caller that has already read the person's flags and consent (a campaign deciding for a batch
    /// of recipients in a few queries rather than two per person).
    /// </summary>
    public static ContactDecision Decide(bool objectsToDirectMarketing, bool processingRestricted, IConsentState? consent, DateTime now)
    {
        if (objectsToDirectMarketing)
        {
            return new(false, Objected, null, null, "The person objected to direct marketing.");
        }
        if (processingRestricted)
        {
            return new(false, Restricted, null, null, "The person restricted the processing of their data.");
        }
        return ContactRule.Decide(consent, now);
    }
}
