using CrmPlatform.Contracts;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Persistence.Replicas;
using CrmPlatform.Persistence.Tenancy;
using MassTransit;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Persistence.ContactDirectory;

/// <summary>Keeps a service's contact directory in step with Contacts.</summary>
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
        Apply(context, ContactKind.Organization, c => SetOrganization(c, context.Message.Organization));

    public Task Consume(ConsumeContext<OrganizationUpdated> context) =>
        Apply(context, ContactKind.Organization, c => SetOrganization(c, context.Message.Organization));

    // A newer Created or Updated after a deletion is a record restored by undoing a merge: the tombstone gives way.
    private static void SetOrganization(DirectoryContact contact, OrganizationSnapshot organization)
    {
        contact.DisplayName = organization.Name;
        contact.IsDeleted = false;
    }

    public Task Consume(ConsumeContext<OrganizationDeleted> context) =>
        Apply(context, ContactKind.Organization, c => c.IsDeleted = true);

    private static void SetPerson(DirectoryContact contact, PersonSnapshot person)
    {
        contact.DisplayName = $"{person.FirstName} {person.LastName}".Trim();
        contact.Email = person.Email;
        contact.OrganizationId = person.OrganizationId;
        contact.ProcessingRestricted = person.ProcessingRestricted ?? false;
        contact.ObjectsToDirectMarketing = person.ObjectsToDirectMarketing ?? false;
        contact.IsDeleted = false;
    }

    private Task Apply<TEvent>(ConsumeContext<TEvent> context, ContactKind kind, Action<DirectoryContact> change)
        where TEvent : class, IIntegrationEvent =>
        Replica.ApplyAsync(db, tenant, clock, context, "contact-directory", id => new DirectoryContact { Id = id, Kind = kind }, change);
}
