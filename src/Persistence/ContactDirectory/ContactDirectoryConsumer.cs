using CrmPlatform.Contracts;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Persistence.Inbox;
using CrmPlatform.Persistence.Tenancy;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Persistence.ContactDirectory;

/// <summary>
/// Keeps a service's contact directory in step with Contacts. Idempotent twice over: the inbox drops a redelivered
/// message, and the version check drops an event older than the row (events can arrive out of order after retries).
/// </summary>
public sealed class ContactDirectoryConsumer<TDbContext>(TDbContext db, TenantContext tenant, TimeProvider clock) :
    IConsumer<PersonCreated>, IConsumer<PersonUpdated>, IConsumer<PersonDeleted>,
    IConsumer<OrganizationCreated>, IConsumer<OrganizationUpdated>, IConsumer<OrganizationDeleted>
    where TDbContext : TenantDbContext, IContactDirectoryDbContext
{
    public Task Consume(ConsumeContext<PersonCreated> context) =>
        Apply(context, ContactKind.Person, c => SetPerson(c, context.Message.Person));

    public Task Consume(ConsumeContext<PersonUpdated> context) =>
        Apply(context, ContactKind.Person, c => SetPerson(c, context.Message.Person));

    public Task Consume(ConsumeContext<PersonDeleted> context) =>
        Apply(context, ContactKind.Person, c => c.IsDeleted = true);

    public Task Consume(ConsumeContext<OrganizationCreated> context) =>
        Apply(context, ContactKind.Organization, c => c.DisplayName = context.Message.Organization.Name);

    public Task Consume(ConsumeContext<OrganizationUpdated> context) =>
        Apply(context, ContactKind.Organization, c => c.DisplayName = context.Message.Organization.Name);

    public Task Consume(ConsumeContext<OrganizationDeleted> context) =>
        Apply(context, ContactKind.Organization, c => c.IsDeleted = true);

    private static void SetPerson(DirectoryContact contact, PersonSnapshot person)
    {
        contact.DisplayName = $"{person.FirstName} {person.LastName}".Trim();
        contact.Email = person.Email;
        contact.OrganizationId = person.OrganizationId;
    }

    private async Task Apply<TEvent>(ConsumeContext<TEvent> context, ContactKind kind, Action<DirectoryContact> change)
        where TEvent : class, IIntegrationEvent
    {
        var message = context.Message;
        tenant.TenantId = message.TenantId;
        var messageId = context.MessageId ?? message.EventId;

        await db.ProcessOnceAsync(messageId, "contact-directory", async () =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var contact = await db.DirectoryContacts.SingleOrDefaultAsync(c => c.Id == message.AggregateId, context.CancellationToken);
            if (contact is null)
            {
                contact = new DirectoryContact { Id = message.AggregateId, Kind = kind, CreatedAt = now };
                db.DirectoryContacts.Add(contact);
            }
            else if (contact.Version >= message.Version)
            {
                return;
            }

            change(contact);
            contact.Version = message.Version;
            contact.UpdatedAt = now;
        }, context.CancellationToken);
    }
}
