using System.Text.Json;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Contracts.Gdpr.V1;
using CrmPlatform.Persistence.Audit;
using CrmPlatform.Persistence.Inbox;
using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.ServiceDefaults;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Persistence.Gdpr;

/// <summary>The name a service answers data subject requests under.</summary>
public sealed record GdprServiceName(string Name);

/// <summary>
/// A service's side of data subject requests: collects every registered <see cref="IPersonalDataPart{TDbContext}"/> for
/// an access request, anonymizes them for an erasure, and answers through the outbox in the same transaction as the
/// inbox row (and the erasure's changes), so an answer is neither lost nor sent twice.
/// </summary>
public sealed class GdprConsumer<TDbContext>(
    TDbContext db, TenantContext tenant, TimeProvider clock, GdprServiceName service, IEnumerable<IPersonalDataPart<TDbContext>> parts) :
    IConsumer<PersonalDataRequested>, IConsumer<PersonErasureRequested>
    where TDbContext : TenantDbContext
{
    public const string ConsumerName = "gdpr";

    private static readonly JsonSerializerOptions ExportJson = new(JsonSerializerDefaults.Web);

    private bool KeepsAuditLog => db.Model.FindEntityType(typeof(AuditEntry)) is not null;

    private async Task<HashSet<Guid>> AuditedIdsAsync(Guid personId, CancellationToken cancellationToken)
    {
        HashSet<Guid> ids = [personId];
        foreach (var part in parts)
        {
            ids.UnionWith(await part.AuditedIdsAsync(db, personId, cancellationToken));
        }
        return ids;
    }

    public async Task Consume(ConsumeContext<PersonalDataRequested> context)
    {
        var request = context.Message;
        tenant.TenantId = request.TenantId;
        await db.ProcessOnceAsync(context.MessageId ?? request.EventId, ConsumerName, async () =>
        {
            var audited = await AuditedIdsAsync(request.PersonId, context.CancellationToken);
            var data = new Dictionary<string, object?>();
            foreach (var part in parts)
            {
                data[part.Name] = await part.CollectAsync(db, request.PersonId, context.CancellationToken);
            }
            if (KeepsAuditLog)
            {
                data["auditEntries"] = await AuditTrail.CollectAsync(db, audited, context.CancellationToken);
            }
            var now = clock.GetUtcNow().UtcDateTime;
            db.AddEvent(new PersonalDataCollected(Guid.CreateVersion7(), now, request.TenantId, request.AggregateId, 1,
                request.PersonId, service.Name, JsonSerializer.SerializeToElement(data, ExportJson)));
        }, context.CancellationToken);
    }

    public async Task Consume(ConsumeContext<PersonErasureRequested> context)
    {
        var request = context.Message;
        tenant.TenantId = request.TenantId;
        await db.ProcessOnceAsync(context.MessageId ?? request.EventId, ConsumerName, async () =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            // Before erasing: erasure may remove the records whose audit entries are to be redacted.
            var audited = await AuditedIdsAsync(request.PersonId, context.CancellationToken);
            var erased = new Dictionary<string, int>();
            foreach (var part in parts)
            {
                erased[part.Name] = await part.EraseAsync(db, request.PersonId, now, context.CancellationToken);
            }
            // The audit entries the erasure itself just wrote hold the old values too: save them, then redact all.
            await db.SaveChangesAsync(context.CancellationToken);
            if (KeepsAuditLog)
            {
                erased["auditEntries"] = await AuditTrail.RedactAsync(db, audited, context.CancellationToken);
                db.Set<AuditEntry>().Add(new AuditEntry
                {
                    CreatedAt = now,
                    EntityType = "person",
                    EntityId = request.PersonId,
                    Action = "personal-data-erased",
                    ActorId = "gdpr",
                    Changes = JsonSerializer.Serialize(new Dictionary<string, object?>
                    {
                        ["erasureRequest"] = new { from = (object?)null, to = request.AggregateId },
                        ["erased"] = new { from = (object?)null, to = erased },
                    }),
                });
            }
            db.AddEvent(new PersonErasureConfirmed(Guid.CreateVersion7(), now, request.TenantId, request.AggregateId, 1,
                request.PersonId, service.Name, now, erased));
        }, context.CancellationToken);
    }
}
