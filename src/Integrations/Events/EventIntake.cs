using System.Text.Json;
using CrmPlatform.Contracts;
using CrmPlatform.Contracts.Catalogue;
using CrmPlatform.Contracts.Identity.V1;
using CrmPlatform.Integrations.Data;
using CrmPlatform.Integrations.Delivery;
using CrmPlatform.Integrations.Subscriptions;
using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Inbox;
using CrmPlatform.ServiceDefaults;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Integrations.Events;

public static class EventIntake
{
    /// <summary>The one queue every event type's exchange is bound to.</summary>
    public const string QueueName = "integrations-events";

    public const string ConsumerName = "event-intake";

    /// <summary>As the catalogue shows payloads: camelCase, UTC timestamps with a Z.</summary>
    public static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web) { Converters = { new UtcDateTimeConverter() } };

    /// <summary>
    /// Every <see cref="IIntegrationEvent"/> of the contracts (the catalogue's own list), consumed on one queue: a new
    /// contract is logged and offered to subscribers without code here.
    /// </summary>
    public static void AddEventIntake(this IBusRegistrationConfigurator bus)
    {
        foreach (var type in CatalogueMessages.Events)
        {
            bus.AddConsumer(typeof(EventIntakeConsumer<>).MakeGenericType(type), typeof(EventIntakeDefinition<>).MakeGenericType(type));
        }
    }

    /// <summary>The catalogue keys subscriptions may name.</summary>
    public static readonly IReadOnlySet<string> EventTypes = CatalogueMessages.Events.Select(CatalogueMessages.Key).ToHashSet(StringComparer.Ordinal);

    /// <summary>The person an event is about, if it names one: a person's own event, or a <c>personId</c> field.</summary>
    public static Guid? PersonOf(string type, Guid aggregateId, JsonElement payload) =>
        type is "Contacts.V1.PersonCreated" or "Contacts.V1.PersonUpdated" or "Contacts.V1.PersonDeleted"
            ? aggregateId
            : payload.TryGetProperty("personId", out var id) && id.ValueKind == JsonValueKind.String && id.TryGetGuid(out var personId) ? personId : null;
}

public sealed class EventIntakeDefinition<TEvent> : ConsumerDefinition<EventIntakeConsumer<TEvent>> where TEvent : class, IIntegrationEvent
{
    public EventIntakeDefinition() => EndpointName = EventIntake.QueueName;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<EventIntakeConsumer<TEvent>> consumer,
        IRegistrationContext context)
    {
        // Many events at once: each is its own short transaction; ordering per subscription is the dispatcher's job.
        endpoint.PrefetchCount = 64;
        endpoint.ConcurrentMessageLimit = 16;
    }
}

/// <summary>
/// Logs one event (once: inbox) and, in the same transaction, owes it to every active subscription of its tenant that
/// takes its type and whose filter it matches; then wakes the dispatcher.
/// </summary>
public sealed class EventIntakeConsumer<TEvent>(
    IntegrationsDbContext db, TenantContext tenant, TimeProvider clock, DeliverySignal signal) : IConsumer<TEvent>
    where TEvent : class, IIntegrationEvent
{
    private static readonly string Type = CatalogueMessages.Key(typeof(TEvent));

    public async Task Consume(ConsumeContext<TEvent> context)
    {
        var message = context.Message;
        tenant.TenantId = message.TenantId;
        var created = 0;
        await db.ProcessOnceAsync(context.MessageId ?? message.EventId, EventIntake.ConsumerName, async () =>
        {
            var takers = await Fanout.TakersAsync(db, Type, context.CancellationToken);
            var now = clock.GetUtcNow().UtcDateTime;
            var json = JsonSerializer.SerializeToElement(message, EventIntake.PayloadJson);
            var personId = EventIntake.PersonOf(Type, message.AggregateId, json);
            var payload = json.GetRawText();
            DateTime? redacted = null;
            if (personId is { } person)
            {
                await EventLogPart.LockPersonAsync(db, person, context.CancellationToken);
                if (await db.ErasedPeople.AnyAsync(e => e.PersonId == person, context.CancellationToken))
                {
                    payload = FieldProtection.RedactAll(payload);
                    redacted = now;
                }
            }
            var entry = new EventLogEntry
            {
                TenantId = message.TenantId, EventId = message.EventId, Type = Type, OccurredAt = DateTime.SpecifyKind(message.OccurredAt, DateTimeKind.Utc),
                AggregateId = message.AggregateId, PersonId = personId, Payload = payload, ReceivedAt = now, Redacted = redacted,
            };
            await TrackAdminsAsync(message, context.CancellationToken);
            created = await Fanout.LogAndOweAsync(db, entry, now, takers, context.CancellationToken);
        }, context.CancellationToken);
        if (created > 0)
        {
            signal.Notify();
        }
    }

    /// <summary>Whom an automatic disabling is emailed to: the tenant's enabled admins, from Identity's user events.</summary>
    private async Task TrackAdminsAsync(TEvent message, CancellationToken cancellationToken)
    {
        var (snapshot, deleted) = message switch
        {
            UserCreated created => (created.User, false),
            UserUpdated updated => (updated.User, false),
            UserDeleted => ((UserSnapshot?)null, true),
            _ => (null, false),
        };
        if (snapshot is null && !deleted)
        {
            return;
        }
        var admin = await db.TenantAdmins.SingleOrDefaultAsync(a => a.UserId == message.AggregateId, cancellationToken);
        if (admin is not null && admin.Version >= message.Version)
        {
            return;
        }
        if (admin is null)
        {
            admin = new TenantAdmin { UserId = message.AggregateId };
            db.TenantAdmins.Add(admin);
        }
        admin.Version = message.Version;
        admin.Email = snapshot?.Email ?? "";
        admin.IsAdmin = snapshot is { Disabled: false } && snapshot.Roles.Contains(Roles.Admin) && snapshot.Email.Length > 0;
    }
}

/// <summary>Turns logged events into deliveries for the subscriptions that take them.</summary>
public static class Fanout
{
    /// <summary>An active subscription of the tenant that takes an event's type.</summary>
    public sealed record Taker(Guid Id, string? Filter, List<string> Scopes, bool Ordered);

    /// <summary>
    /// The subscriptions that take <paramref name="type"/>, read before the event's sequence is drawn. An ordered one is
    /// sent its events in the log's order, and the dispatcher sends one only when no earlier one is pending; so for the
    /// events one is owed, the log's sequence must be the commit order: their intakes are serialized by a lock per
    /// ordered subscription, taken here. Without it an event drawn later but committed first was sent before the
    /// earlier one existed.
    /// </summary>
    public static async Task<List<Taker>> TakersAsync(IntegrationsDbContext db, string type, CancellationToken cancellationToken)
    {
        var takers = await db.Subscriptions.AsNoTracking()
            .Where(s => s.Status == SubscriptionStatus.Active && s.EventTypes.Contains(type))
            .OrderBy(s => s.Id).Select(s => new Taker(s.Id, s.Filter, s.Scopes, s.Ordered)).ToListAsync(cancellationToken);
        foreach (var ordered in takers.Where(t => t.Ordered))
        {
            await db.LockForTransactionAsync("ordered-subscription:" + ordered.Id, cancellationToken);
        }
        return takers;
    }

    /// <summary>
    /// Logs <paramref name="entry"/> and owes it to each of <paramref name="takers"/> whose filter it matches, in one
    /// statement: the deliveries carry the log row's sequence (its identity), which a save of the row would fetch in a
    /// round trip of its own before they could be written. Returns how many deliveries it queued.
    /// </summary>
    public static async Task<int> LogAndOweAsync(IntegrationsDbContext db, EventLogEntry entry, DateTime now, IReadOnlyList<Taker> takers,
        CancellationToken cancellationToken)
    {
        var owedTo = takers.Where(t => EventFilter.Takes(t.Filter, t.Scopes, entry.Payload)).Select(t => t.Id).ToArray();
        var deliveryIds = owedTo.Select(_ => Guid.CreateVersion7()).ToArray();
        await db.Database.ExecuteSqlAsync($"""
            WITH logged AS (
                INSERT INTO event_log (tenant_id, event_id, type, occurred_at, aggregate_id, person_id, payload, received_at, redacted)
                VALUES ({entry.TenantId}, {entry.EventId}, {entry.Type}, {entry.OccurredAt}, {entry.AggregateId}, {entry.PersonId},
                        {entry.Payload}::jsonb, {entry.ReceivedAt}, {entry.Redacted})
                RETURNING sequence)
            INSERT INTO deliveries (id, tenant_id, subscription_id, event_id, event_sequence, created_at, status, attempts, next_attempt_at, replay)
            SELECT owed.id, {entry.TenantId}, owed.subscription_id, {entry.EventId}, logged.sequence, {now}, {DeliveryStatus.Pending}, 0, {now}, false
            FROM logged, unnest({deliveryIds}, {owedTo}) AS owed(id, subscription_id)
            """, cancellationToken);
        return owedTo.Length;
    }
}
