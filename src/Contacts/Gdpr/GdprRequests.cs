using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Persistence.Audit;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Gdpr;

/// <summary>Making data subject requests; the API and the retention policy share it.</summary>
internal static class GdprRequests
{
    /// <summary>
    /// Whether Contacts knows or knew the person in this tenant: a record, or audit entries about one (a deleted person
    /// still has data elsewhere, such as opportunities and the consent history).
    /// </summary>
    public static async Task<bool> KnowsPersonAsync(ContactsDbContext db, Guid personId, CancellationToken cancellationToken) =>
        await db.People.AnyAsync(p => p.Id == personId, cancellationToken)
        || await db.Set<AuditEntry>().AnyAsync(e => e.EntityType == "person" && e.EntityId == personId, cancellationToken);

    /// <summary>
    /// Adds an access or erasure request and the event asking every service to answer, to be saved by the caller in one
    /// transaction.
    /// </summary>
    public static GdprRequest AskServices(ContactsDbContext db, Guid personId, string type, string requestedBy, string[] services)
    {
        var request = new GdprRequest { PersonId = personId, Type = type, RequestedBy = requestedBy, ExpectedServices = services };
        db.Set<GdprRequest>().Add(request);
        db.Stamp();
        db.AddEvent(type == GdprRequestTypes.Access
            ? new PersonalDataRequested(Guid.CreateVersion7(), request.CreatedAt, request.TenantId, request.Id, 1, personId)
            : new PersonErasureRequested(Guid.CreateVersion7(), request.CreatedAt, request.TenantId, request.Id, 1, personId));
        return request;
    }

    /// <summary>
    /// Records a restriction or an objection (or their end) on the person, whose event tells every service; the request
    /// is complete at once. The person's audit log keeps the history. Null when the person does not exist.
    /// </summary>
    public static async Task<GdprRequest?> RecordOnPersonAsync(
        ContactsDbContext db, Guid personId, string type, string requestedBy, DateTime now, CancellationToken cancellationToken)
    {
        var person = await db.People.FromSql($"SELECT * FROM people WHERE id = {personId} FOR UPDATE").SingleOrDefaultAsync(cancellationToken);
        if (person is null)
        {
            return null;
        }
        switch (type)
        {
            case GdprRequestTypes.Restriction or GdprRequestTypes.RestrictionLifted:
                person.RestrictProcessing(type == GdprRequestTypes.Restriction, now);
                break;
            default:
                person.ObjectToDirectMarketing(type == GdprRequestTypes.Objection, now);
                break;
        }
        var request = new GdprRequest
        {
            PersonId = personId, Type = type, RequestedBy = requestedBy, Status = GdprRequestStatuses.Completed, CompletedAt = now,
        };
        db.Set<GdprRequest>().Add(request);
        db.Stamp();
        if (db.Entry(person).State == EntityState.Modified)
        {
            db.AddEvent(person.Updated());
        }
        return request;
    }
}
