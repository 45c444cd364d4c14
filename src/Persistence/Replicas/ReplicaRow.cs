using CrmPlatform.Contracts;
using CrmPlatform.Persistence.Inbox;
using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.ServiceDefaults;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Persistence.Replicas;

/// <summary>
/// A service's local copy of a record another service owns, kept from its events. The version is the owner's and
/// also the concurrency token, so two deliveries racing on one row cannot let the older win.
/// </summary>
public abstract class ReplicaRow : ITenantOwned
{
    public Guid Id { get; init; }
    public Guid TenantId { get; set; }
    public int Version { get; set; }
    /// <summary>A deletion keeps the row as a tombstone so that a late, older event cannot revive it.</summary>
    public bool IsDeleted { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

public static class Replica
{
    /// <summary>
    /// Applies an event to its replica row exactly once: the inbox drops a redelivered message, and the version check
    /// drops an event older than the row (events can arrive out of order after retries). <paramref name="applied"/> runs
    /// only when the event changed the row, inside the same transaction.
    /// </summary>
    public static async Task ApplyAsync<TEvent, TRow>(
        TenantDbContext db, TenantContext tenant, TimeProvider clock, ConsumeContext<TEvent> context, string consumer,
        Func<Guid, TRow> create, Action<TRow> change, Func<TRow, CancellationToken, Task>? applied = null)
        where TEvent : class, IIntegrationEvent
        where TRow : ReplicaRow
    {
        var message = context.Message;
        tenant.TenantId = message.TenantId;
        await db.ProcessOnceAsync(context.MessageId ?? message.EventId, consumer, async () =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var row = await db.Set<TRow>().SingleOrDefaultAsync(r => r.Id == message.AggregateId, context.CancellationToken);
            if (row is null)
            {
                row = create(message.AggregateId);
                row.CreatedAt = now;
                db.Set<TRow>().Add(row);
            }
            else if (row.Version >= message.Version)
            {
                return;
            }

            change(row);
            row.Version = message.Version;
            row.UpdatedAt = now;
            if (applied is not null)
            {
                await applied(row, context.CancellationToken);
            }
        }, context.CancellationToken);
    }
}
