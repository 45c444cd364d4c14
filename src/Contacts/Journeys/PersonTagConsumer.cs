using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Contracts.Marketing.V1;
using CrmPlatform.Persistence.Inbox;
using CrmPlatform.ServiceDefaults;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Journeys;

/// <summary>
/// Contacts' part of a Marketing journey's <c>add-tag</c> step: the tag goes on the person (normalized, as every tag),
/// with the person's own <c>PersonUpdated</c> in the same commit, once per request (the inbox). A person who has the
/// tag already, or the most tags a person may have, is not changed; nor is a deleted, erased or restricted one
/// (no new uses of a restricted person's data).
/// </summary>
public sealed class PersonTagConsumer(ContactsDbContext db, TenantContext tenant, ILogger<PersonTagConsumer> logger) : IConsumer<AddPersonTagRequested>
{
    public const string ConsumerName = "person-tags";

    public async Task Consume(ConsumeContext<AddPersonTagRequested> context)
    {
        var request = context.Message;
        tenant.TenantId = request.TenantId;
        tenant.ActorId = request.RequestedBy;
        var cancellationToken = context.CancellationToken;
        await db.ProcessOnceAsync(context.MessageId ?? request.EventId, ConsumerName, async () =>
        {
            var person = await db.People.SingleOrDefaultAsync(p => p.Id == request.PersonId, cancellationToken);
            var tag = Tags.Normalize(request.Tag);
            if (person is null or { ErasedAt: not null } or { ProcessingRestrictedAt: not null }
                || tag.Length is 0 or > Tags.MaxLength || person.Tags.Contains(tag) || person.Tags.Length >= Tags.MaxCount)
            {
                logger.LogInformation("Tag request {RequestId} for person {PersonId} left the person as they are", request.EventId, request.PersonId);
                return;
            }
            person.Tags = Tags.NormalizeAll(person.Tags.Append(tag));
            db.Stamp();
            db.AddEvent(person.Updated());
        }, cancellationToken);
    }

    public static void Register(IBusRegistrationConfigurator bus, string serviceName) =>
        bus.AddConsumer<PersonTagConsumer>().Endpoint(endpoint => endpoint.Name = $"{serviceName}-{ConsumerName}");
}
