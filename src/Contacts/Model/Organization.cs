using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Contacts.Model;

public sealed class Organization : AuditedEntity
{
    public const int NameMaxLength = 200;
    public const int DomainMaxLength = 253;

    public string Name { get; set; } = "";
    public string? Domain { get; set; }
    public string? Industry { get; set; }
    public Guid? ParentOrganizationId { get; set; }

    public OrganizationSnapshot ToSnapshot() => new(Name, Domain, Industry, ParentOrganizationId);

    public OrganizationCreated Created() => new(Guid.CreateVersion7(), UpdatedAt, TenantId, Id, Version, ToSnapshot());
    public OrganizationUpdated Updated() => new(Guid.CreateVersion7(), UpdatedAt, TenantId, Id, Version, ToSnapshot());
    public OrganizationDeleted Deleted(DateTime now) => new(Guid.CreateVersion7(), now, TenantId, Id, Version);
}
