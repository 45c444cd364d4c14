using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Contracts.Service.V1;
using CrmPlatform.Persistence.Inbox;
using CrmPlatform.ServiceDefaults;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.TicketRequesters;

/// <summary>
/// Contacts' step when a ticket comes from an address Service does not know: the person with that address, else a new
/// one with the request's id, answered in one commit with the inbox row and the new person's own event. Contacts stays
/// the only place people are made, so the requester is a real person, not Service's copy.
/// </summary>
public sealed class TicketRequesterConsumer(ContactsDbContext db, TenantContext tenant, TimeProvider clock) : IConsumer<TicketRequesterRequested>
{
    public const string ConsumerName = "ticket-requesters";

    public async Task Consume(ConsumeContext<TicketRequesterRequested> context)
    {
        var request = context.Message;
        tenant.TenantId = request.TenantId;
        tenant.ActorId = request.RequestedBy;
        var cancellationToken = context.CancellationToken;
        await db.ProcessOnceAsync(context.MessageId ?? request.EventId, ConsumerName, async () =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var email = EmailAddress.Normalize(request.Email);
            var person = await db.PersonWithEmailAsync(email, cancellationToken)
                ?? await db.People.SingleOrDefaultAsync(p => p.Id == request.NewPersonId, cancellationToken);
            if (person is { ErasedAt: not null } or { ProcessingRestrictedAt: not null })
            {
                db.AddEvent(new TicketRequesterRejected(Guid.CreateVersion7(), now, request.TenantId, request.AggregateId, 1, request.TicketId,
                    $"The person with this address ('{person.Id}') has restricted or erased their data."));
                return;
            }

            var created = person is null;
            if (person is null)
            {
                person = new Person
                {
                    Id = request.NewPersonId,
                    FirstName = Truncate(request.FirstName) ?? "",
                    LastName = Truncate(request.LastName) ?? email,
                };
                person.SetEmails([new EmailAddress(email, ContactPointType.Work, Primary: true)]);
                db.People.Add(person);
                db.Stamp();
                db.AddEvent(person.Created());
            }
            db.AddEvent(new TicketRequesterResolved(Guid.CreateVersion7(), now, request.TenantId, request.AggregateId, 1, request.TicketId,
                person.Id, created, person.DisplayName, person.Email, person.OrganizationId));
        }, cancellationToken);
    }

    private static string? Truncate(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null : value.Trim() is var trimmed && trimmed.Length > Person.NameMaxLength ? trimmed[..Person.NameMaxLength] : value.Trim();

    public static void Register(IBusRegistrationConfigurator bus, string serviceName) =>
        bus.AddConsumer<TicketRequesterConsumer>().Endpoint(endpoint => endpoint.Name = $"{serviceName}-{ConsumerName}");
}
