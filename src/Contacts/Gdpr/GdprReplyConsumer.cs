using System.Text.Json;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Contracts.Gdpr.V1;
using CrmPlatform.Persistence.Inbox;
using CrmPlatform.ServiceDefaults;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Gdpr;

/// <summary>
/// Records each service's answer to an access or erasure request, once per service, and completes the request when
/// every expected service has answered. The request row is locked first, so two answers arriving together on
/// competing consumers cannot both miss that they were the last.
/// </summary>
public sealed class GdprReplyConsumer(ContactsDbContext db, TenantContext tenant, TimeProvider clock, ILogger<GdprReplyConsumer> logger) :
    IConsumer<PersonalDataCollected>, IConsumer<PersonErasureConfirmed>
{
    public const string ConsumerName = "gdpr-replies";

    public Task Consume(ConsumeContext<PersonalDataCollected> context) =>
        RecordAsync(context, context.Message.Service, context.Message.OccurredAt, context.Message.Data.GetRawText());

    public Task Consume(ConsumeContext<PersonErasureConfirmed> context) =>
        RecordAsync(context, context.Message.Service, context.Message.ErasedAt, JsonSerializer.Serialize(context.Message.Erased));

    private async Task RecordAsync<TReply>(ConsumeContext<TReply> context, string service, DateTime at, string content)
        where TReply : class, Contracts.IIntegrationEvent
    {
        var reply = context.Message;
        tenant.TenantId = reply.TenantId;
        await db.ProcessOnceAsync(context.MessageId ?? reply.EventId, ConsumerName, async () =>
        {
            await db.Database.ExecuteSqlAsync($"SELECT 1 FROM gdpr_requests WHERE id = {reply.AggregateId} FOR UPDATE", context.CancellationToken);
            var request = await db.Set<GdprRequest>()
                .Include(r => r.Replies)
                .Where(r => r.Id == reply.AggregateId)
                .SingleOrDefaultAsync(context.CancellationToken);
            if (request is null || !request.ExpectedServices.Contains(service))
            {
                logger.LogWarning("Ignored a GDPR answer from {Service} to unknown request {RequestId}", service, reply.AggregateId);
                return;
            }
            if (request.Replies.Any(r => r.Service == service))
            {
                return;
            }
            // Added to its set, not only to the collection: with its id already set, EF would take it for an existing row.
            var answer = new GdprServiceReply { RequestId = request.Id, Service = service, At = at, Content = content };
            db.Set<GdprServiceReply>().Add(answer);
            request.Replies.Add(answer);
            if (request.ExpectedServices.All(expected => request.Replies.Any(r => r.Service == expected)))
            {
                request.Status = GdprRequestStatuses.Completed;
                request.CompletedAt = clock.GetUtcNow().UtcDateTime;
            }
        }, context.CancellationToken);
    }
}
