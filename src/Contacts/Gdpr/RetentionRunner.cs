using System.Text.Json;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrmPlatform.Contacts.Gdpr;

/// <summary>
/// Runs the current tenant's retention policy once: every person without activity since the cut-off is erased through
/// an erasure request (so every service anonymizes and confirms, as for a person's own request), and the run is logged
/// with whom it anonymized, in one transaction.
/// <para>
/// A person's activity is the latest of: a change to their record, a consent statement about them, a change to their
/// roles at organizations or their links to other people. People already erased, with an erasure in progress, or whose
/// processing is restricted (Art. 18: kept, e.g. for legal claims, instead of erased) are left alone.
/// </para>
/// </summary>
public sealed class RetentionRunner(ContactsDbContext db, TimeProvider clock, IOptions<GdprOptions> options)
{
    public const string Scheduled = "schedule";
    public const string RequestedBy = "retention-policy";

    /// <summary>The run, or null when the tenant has no policy (or it is off).</summary>
    public async Task<RetentionRun?> RunAsync(string triggeredBy, CancellationToken cancellationToken)
    {
        var policy = await db.Set<RetentionPolicy>().AsNoTracking().SingleOrDefaultAsync(cancellationToken);
        if (policy?.AnonymizeInactiveAfterMonths is not { } months)
        {
            return null;
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var cutoff = now.AddMonths(-months);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var inactive = await (
                from person in db.People
                where person.ErasedAt == null && person.ProcessingRestrictedAt == null && person.UpdatedAt < cutoff
                let consentActivity = db.Consents.Where(c => c.PersonId == person.Id).Max(c => (DateTime?)c.ChangedAt)
                let affiliationActivity = db.Affiliations.Where(a => a.PersonId == person.Id).Max(a => (DateTime?)a.UpdatedAt)
                let linkActivity = db.PersonLinks.Where(l => l.PersonId == person.Id || l.RelatedPersonId == person.Id).Max(l => (DateTime?)l.UpdatedAt)
                where (consentActivity == null || consentActivity < cutoff)
                    && (affiliationActivity == null || affiliationActivity < cutoff)
                    && (linkActivity == null || linkActivity < cutoff)
                    && !db.Set<GdprRequest>().Any(r => r.PersonId == person.Id && r.Type == GdprRequestTypes.Erasure && r.Status != GdprRequestStatuses.Completed)
                orderby person.UpdatedAt, person.Id
                select new { person.Id, person.UpdatedAt, consentActivity, affiliationActivity, linkActivity })
            .Take(options.Value.RetentionBatchSize)
            .ToListAsync(cancellationToken);

        var anonymized = inactive.Select(p => new
        {
            PersonId = p.Id,
            LastActivityAt = new[] { p.UpdatedAt, p.consentActivity, p.affiliationActivity, p.linkActivity }.Max(),
            RequestId = GdprRequests.AskServices(db, p.Id, GdprRequestTypes.Erasure, RequestedBy, options.Value.ExpectedServices).Id,
        }).ToList();
        var run = new RetentionRun
        {
            CreatedAt = now,
            TriggeredBy = triggeredBy,
            InactiveAfterMonths = months,
            Cutoff = cutoff,
            AnonymizedCount = anonymized.Count,
            Anonymized = JsonSerializer.Serialize(anonymized, JsonSerializerOptions.Web),
        };
        db.Set<RetentionRun>().Add(run);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return run;
    }
}
