using System.Text.Json;
using CrmPlatform.Contacts.Apis;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Merging;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Persistence.Gdpr;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Gdpr;

/// <summary>
/// What Contacts holds about a person: the record, consents and their history with evidence, roles at organizations,
/// links to other people, external ids, merges they took part in, their data subject requests and their audit entries. Erasure anonymizes the
/// record (placeholders), withdraws every consent still granted, strips identifying evidence from the consent history,
/// removes roles, links and external ids, empties the archive of the person's merges, and publishes the anonymized person so every replica follows.
/// </summary>
public sealed class ContactsPersonalData : IPersonalDataPart<ContactsDbContext>
{
    private static readonly JsonDocument EmptyArchive = JsonDocument.Parse("{}");

    public string Name => "contacts";

    public async Task<object?> CollectAsync(ContactsDbContext db, Guid personId, CancellationToken cancellationToken)
    {
        var person = await db.People.AsNoTracking().SingleOrDefaultAsync(p => p.Id == personId, cancellationToken);
        var consents = await db.Consents.AsNoTracking().Where(c => c.PersonId == personId)
            .OrderBy(c => c.Purpose).ThenBy(c => c.Channel)
            .Select(c => new { c.Id, c.Purpose, c.Channel, c.Status, c.ValidFrom, c.ValidUntil, c.ChangedAt })
            .ToListAsync(cancellationToken);
        var history = await db.ConsentRecords.AsNoTracking().Where(r => r.PersonId == personId)
            .OrderBy(r => r.CreatedAt).ThenBy(r => r.Id).ToListAsync(cancellationToken);
        var affiliations = await db.Affiliations.AsNoTracking().Where(a => a.PersonId == personId).OrderBy(a => a.CreatedAt).ToListAsync(cancellationToken);
        var links = await db.PersonLinks.AsNoTracking().Where(l => l.PersonId == personId || l.RelatedPersonId == personId)
            .OrderBy(l => l.CreatedAt).ToListAsync(cancellationToken);
        var externalIds = await db.PersonExternalIds.AsNoTracking().Where(e => e.PersonId == personId)
            .Select(e => new { e.Source, e.ExternalId }).ToListAsync(cancellationToken);
        var requests = await db.Set<GdprRequest>().AsNoTracking().Where(r => r.PersonId == personId).OrderBy(r => r.CreatedAt)
            .Select(r => new { r.Id, r.Type, r.Status, r.RequestedBy, RequestedAt = r.CreatedAt, r.CompletedAt })
            .ToListAsync(cancellationToken);
        var merges = await PersonMerges(db, personId).AsNoTracking().OrderBy(m => m.CreatedAt)
            .Select(m => new { m.Id, m.CreatedAt, m.SurvivorId, m.MergedIds, m.MergedBy, m.UndoneAt, RecordsBefore = m.Before })
            .ToListAsync(cancellationToken);
        return new
        {
            Person = person is null ? null : new
            {
                Record = PersonResponse.From(person),
                person.ProcessingRestrictedAt,
                person.DirectMarketingObjectionAt,
                person.ErasedAt,
            },
            Consents = consents,
            ConsentHistory = history.Select(ConsentRecordResponse.From),
            Affiliations = affiliations.Select(a => new { a.Id, a.OrganizationId, a.Title, a.Roles, a.StartedOn, a.EndedOn }),
            Links = links.Select(l => new { l.Id, RelatedPersonId = l.OtherThan(personId), Type = l.TypeFor(personId), l.Note }),
            ExternalIds = externalIds,
            GdprRequests = requests,
            Merges = merges,
        };
    }

    /// <summary>Merges the person survived or was merged in: their archive holds the person's earlier records.</summary>
    private static IQueryable<MergeRecord> PersonMerges(ContactsDbContext db, Guid personId) =>
        db.Merges.Where(m => m.Kind == MergeKinds.Person && (m.SurvivorId == personId || m.MergedIds.Contains(personId)));

    /// <summary>Roles and links are audited under their own ids; their entries name the person's employers and relations.</summary>
    public async Task<IReadOnlyCollection<Guid>> AuditedIdsAsync(ContactsDbContext db, Guid personId, CancellationToken cancellationToken) =>
    [
        .. await db.Affiliations.Where(a => a.PersonId == personId).Select(a => a.Id).ToListAsync(cancellationToken),
        .. await db.PersonLinks.Where(l => l.PersonId == personId || l.RelatedPersonId == personId).Select(l => l.Id).ToListAsync(cancellationToken),
    ];

    public async Task<int> EraseAsync(ContactsDbContext db, Guid personId, DateTime now, CancellationToken cancellationToken)
    {
        var changed = 0;
        // Locked like a deletion: a consent statement recorded meanwhile finishes first (and is withdrawn below) or waits.
        var person = await db.People.FromSql($"SELECT * FROM people WHERE id = {personId} FOR UPDATE").SingleOrDefaultAsync(cancellationToken);
        if (person is not null)
        {
            person.Erase(now);
            db.Stamp();
            if (db.Entry(person).State == EntityState.Modified)
            {
                db.AddEvent(person.Updated());
                changed++;
            }
        }
        var withdrawn = await db.WithdrawAllForDeletionAsync(personId, now, cancellationToken, "The person's data was erased.");
        changed += withdrawn;

        var affiliations = await db.Affiliations.Where(a => a.PersonId == personId).ToListAsync(cancellationToken);
        var links = await db.PersonLinks.Where(l => l.PersonId == personId || l.RelatedPersonId == personId).ToListAsync(cancellationToken);
        var externalIds = await db.PersonExternalIds.Where(e => e.PersonId == personId).ToListAsync(cancellationToken);
        db.Affiliations.RemoveRange(affiliations);
        db.PersonLinks.RemoveRange(links);
        db.PersonExternalIds.RemoveRange(externalIds);
        changed += affiliations.Count + links.Count + externalIds.Count;
        // A pair names the person's values in its reasons, and an erased record is no one's duplicate.
        // The archive is what an undo would restore; once erased there is nothing to undo to (undo already refuses, since
        // the erasure changed the survivor).
        changed += await PersonMerges(db, personId).ExecuteUpdateAsync(m => m.SetProperty(r => r.Before, EmptyArchive), cancellationToken);
        changed += await db.DuplicatePairs.Where(p => p.Kind == MergeKinds.Person && (p.RecordId == personId || p.OtherId == personId))
            .ExecuteDeleteAsync(cancellationToken);

        changed += await db.Database.SqlQuery<int>($"SELECT consent_records_redact({db.CurrentTenantId}, {personId}) AS \"Value\"")
            .SingleAsync(cancellationToken);
        return changed;
    }
}
