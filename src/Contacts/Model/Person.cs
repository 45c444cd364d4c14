using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Contacts.Model;

public sealed class Person : AuditedEntity
{
    public const int NameMaxLength = 100;
    public const int EmailMaxLength = 320;
    public const int PhoneMaxLength = 40;

    public string FirstName { get; set; } = "";
    public string LastName { get; set; } = "";
    public string Email { get; private set; } = "";
    /// <summary>The lower-cased email the per-tenant uniqueness rule is checked on.</summary>
    public string NormalizedEmail { get; private set; } = "";
    public string? Phone { get; set; }
    public string? JobTitle { get; set; }
    public Guid? OrganizationId { get; set; }

    public string DisplayName => $"{FirstName} {LastName}".Trim();

    public void SetEmail(string email)
    {
        Email = email.Trim();
        NormalizedEmail = NormalizeEmail(email);
    }

    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();

    public PersonSnapshot ToSnapshot() => new(FirstName, LastName, Email, Phone, JobTitle, OrganizationId);

    // Events carry the version the save is about to write, so the entity must be stamped first.
    public PersonCreated Created() => new(Guid.CreateVersion7(), UpdatedAt, TenantId, Id, Version, ToSnapshot());
    public PersonUpdated Updated() => new(Guid.CreateVersion7(), UpdatedAt, TenantId, Id, Version, ToSnapshot());
    public PersonDeleted Deleted(DateTime now) => new(Guid.CreateVersion7(), now, TenantId, Id, Version);
}
