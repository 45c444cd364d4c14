using System.Text.Json;
using CrmPlatform.Integrations.Data;
using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Gdpr;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Integrations.Events;

/// <summary>
/// The event log's part of a data subject request: the events about the person are exported, and on erasure redacted
/// in place (every protected field removed, <see cref="FieldProtection"/>), so no retry or replay sends their data
/// again; the person is remembered as erased so an event about them that arrives later is stored redacted too.
/// </summary>
public sealed class EventLogPart : IPersonalDataPart<IntegrationsDbContext>
{
    public string Name => "eventLog";

    public async Task<object?> CollectAsync(IntegrationsDbContext db, Guid personId, CancellationToken cancellationToken)
    {
        var entries = await db.EventLog.AsNoTracking().Where(e => e.PersonId == personId).OrderBy(e => e.Sequence)
            .Select(e => new { e.EventId, e.Type, e.OccurredAt, e.Payload }).ToListAsync(cancellationToken);
        return entries.Select(e => new { e.EventId, e.Type, e.OccurredAt, Payload = JsonDocument.Parse(e.Payload).RootElement.Clone() }).ToList();
    }

    public async Task<int> EraseAsync(IntegrationsDbContext db, Guid personId, DateTime now, CancellationToken cancellationToken)
    {
        await LockPersonAsync(db, personId, cancellationToken);
        if (!await db.ErasedPeople.AnyAsync(e => e.PersonId == personId, cancellationToken))
        {
            db.ErasedPeople.Add(new ErasedPerson { PersonId = personId, ErasedAt = now });
        }
        var entries = await db.EventLog.Where(e => e.PersonId == personId).ToListAsync(cancellationToken);
        foreach (var entry in entries)
        {
            entry.Payload = FieldProtection.RedactAll(entry.Payload);
            entry.Redacted = now;
        }
        return entries.Count;
    }

    /// <summary>
    /// Serializes an erasure with the intake of an event about the same person, both in their own transactions: without
    /// it an event read "not erased" just before the erasure commits is stored after the erasure's sweep, unredacted.
    /// </summary>
    public static Task LockPersonAsync(IntegrationsDbContext db, Guid personId, CancellationToken cancellationToken) =>
        db.LockForTransactionAsync("event-log-person:" + personId, cancellationToken);
}
