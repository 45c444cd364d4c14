using CrmPlatform.Contracts.Contacts.V1;

namespace CrmPlatform.Contacts.Model;

public sealed class Organization : CustomerRecord
{
    public const int NameMaxLength = 200;
    public const int DomainMaxLength = 253;
    public const int MaxAddresses = 20;

    public string Name { get; set; } = "";
    /// <summary>A host name, lower-cased (<c>acme.com</c>).</summary>
    public string? Domain { get; set; }
    public EmployeeBand? Size { get; set; }
    public IReadOnlyList<PostalAddress> Addresses { get; set; } = [];

    /// <summary>The organization this one is a subsidiary of; the hierarchy never has a cycle (see OrganizationHierarchy).</summary>
    public Guid? ParentOrganizationId { get; set; }

    public OrganizationSnapshot ToSnapshot() => new(Name, Domain, Industry, ParentOrganizationId)
    {
        Size = Size is { } size ? KindNames.Of(size) : null,
        Addresses = [.. Addresses.Select(a => new ContactAddress(KindNames.Of(a.Type), a.Street, a.City, a.PostalCode, a.Region, a.Country))],
        Tags = Tags,
        OwnerId = OwnerId,
        Segment = Segment,
        Rating = Rating is { } rating ? KindNames.Of(rating) : null,
        LifecycleStage = LifecycleStage is { } stage ? KindNames.Of(stage) : null,
        CustomFields = CustomFieldValues.ToDictionary(CustomFields),
    };

    public OrganizationCreated Created() => new(Guid.CreateVersion7(), UpdatedAt, TenantId, Id, Version, ToSnapshot());
    public OrganizationUpdated Updated() => new(Guid.CreateVersion7(), UpdatedAt, TenantId, Id, Version, ToSnapshot());
    public OrganizationDeleted Deleted(DateTime now) => new(Guid.CreateVersion7(), now, TenantId, Id, Version);
}
