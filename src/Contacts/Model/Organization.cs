using System.Text.Json;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Persistence.Audit;
using CrmPlatform.Persistence.Tenancy;
using NpgsqlTypes;

namespace CrmPlatform.Contacts.Model;

public sealed class Organization : AuditedEntity
{
    public const int NameMaxLength = 200;
    public const int DomainMaxLength = 253;
    public const int MaxAddresses = 20;

    public string Name { get; set; } = "";
    /// <summary>A host name, lower-cased (<c>acme.com</c>).</summary>
    public string? Domain { get; set; }
    public string? Industry { get; set; }
    public EmployeeBand? Size { get; set; }
    public IReadOnlyList<PostalAddress> Addresses { get; set; } = [];
    /// <summary>Normalized and sorted (<see cref="Model.Tags"/>).</summary>
    public string[] Tags { get; set; } = [];

    public string? Segment { get; set; }
    public Rating? Rating { get; set; }
    public LifecycleStage? LifecycleStage { get; set; }

    /// <summary>The industry is the organization's own field; the rest is the classification people have too.</summary>
    /// <summary>
    /// What full-text search matches (a generated column, see the migration <c>Search</c>): name, domain, then
    /// industry and tags, weighted in that order.
    /// </summary>
    [AuditIgnored]
    public NpgsqlTsVector SearchVector { get; private set; } = null!;

    /// <summary>The same words as one lower-case text, for trigram similarity (misspellings, prefixes); generated.</summary>
    [AuditIgnored]
    public string SearchText { get; private set; } = "";

    /// <summary>The tenant's custom fields: a JSON object of normalized values (<see cref="CustomFieldValues"/>).</summary>
    public JsonDocument CustomFields { get; private set; } = CustomFieldValues.Empty;

    /// <summary>Replaces the values when they differ, so that rewriting the same values is no change.</summary>
    public void SetCustomFields(JsonDocument values)
    {
        if (!CustomFieldValues.AreEqual(CustomFields, values))
        {
            CustomFields = values;
        }
    }

    public Classification Classification
    {
        get => new(Segment, Industry, Rating, LifecycleStage);
        set => (Segment, Industry, Rating, LifecycleStage) = (value.Segment, value.Industry, value.Rating, value.LifecycleStage);
    }

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
