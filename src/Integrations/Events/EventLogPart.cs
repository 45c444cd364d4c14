using System.Text.Json;
using CrmPlatform.Integrations.Data;
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
}
