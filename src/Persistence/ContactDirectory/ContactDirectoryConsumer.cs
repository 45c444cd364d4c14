using System.Text.Json;
using CrmPlatform.Contracts;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Persistence.Replicas;
using CrmPlatform.Persistence.Tenancy;
using MassTransit;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Persistence.ContactDirectory;

/// <summary>Keeps a service's contact directory in step with Contacts.</summary>
public sealed class ContactDirectoryConsumer<TDbContext>(
    TDbContext db, TenantContext tenant, TimeProvider clock, IEnumerable<IContactDirectoryObserver> observers) :
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
        contact.Industry = organization.Industry;
        contact.OwnerId = organization.OwnerId;
        SetAttributes(contact, organization.LifecycleStage, organization.Addresses, organization.Tags, organization.CustomFields);
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
        contact.Industry = person.Industry;
        contact.OwnerId = person.OwnerId;
        SetAttributes(contact, person.LifecycleStage, person.Addresses, person.Tags, person.CustomFields);
        contact.IsDeleted = false;
    }

    private static void SetAttributes(
        DirectoryContact contact, string? lifecycleStage, IReadOnlyList<ContactAddress>? addresses, IReadOnlyList<string>? tags,
        IReadOnlyDictionary<string, JsonElement>? customFields)
    {
        contact.LifecycleStage = lifecycleStage;
        contact.Country = addresses?.Select(a => a.Country).FirstOrDefault(c => !string.IsNullOrWhiteSpace(c))?.ToUpperInvariant();
        contact.Tags = tags?.ToList() ?? [];
        contact.CustomFields = customFields is { Count: > 0 } ? JsonSerializer.Serialize(customFields) : null;
    }

    private Task Apply<TEvent>(ConsumeContext<TEvent> context, ContactKind kind, Action<DirectoryContact> change)
        where TEvent : class, IIntegrationEvent =>
        Replica.ApplyAsync(db, tenant, clock, context, "contact-directory", id => new DirectoryContact { Id = id, Kind = kind }, change,
            observers.Any() ? Notify : null);

    /// <summary>The change is written first, so observers query the contact as it now is, in the same transaction.</summary>
    private async Task Notify(DirectoryContact contact, CancellationToken cancellationToken)
    {
        await db.SaveChangesAsync(cancellationToken);
        foreach (var observer in observers)
        {
            await observer.ContactChangedAsync(contact, cancellationToken);
        }
    }
}

/// <summary>
/// Work a service does when a contact of its directory changes, in the transaction that applies the change (so it
/// happens exactly once with it): Marketing re-evaluates the person's segments. Registered in DI; none by default.
/// </summary>
public interface IContactDirectoryObserver
{
    Task ContactChangedAsync(DirectoryContact contact, CancellationToken cancellationToken);
}
