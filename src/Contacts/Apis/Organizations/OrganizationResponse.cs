using System.Text.Json;
using CrmPlatform.Contacts.Model;

namespace CrmPlatform.Contacts.Apis;

public sealed record OrganizationResponse(
    Guid Id,
    string Name,
    string? Domain,
    string? Industry,
    EmployeeBand? Size,
    IReadOnlyList<PostalAddress> Addresses,
    IReadOnlyList<string> Tags,
    string? Segment,
    Rating? Rating,
    LifecycleStage? LifecycleStage,
    JsonElement CustomFields,
    Guid? ParentOrganizationId,
    string? OwnerId,
    DateTime CreatedAt,
    string? CreatedBy,
    DateTime UpdatedAt,
    string? UpdatedBy,
    int Version)
{
    public static OrganizationResponse From(Organization o) => new(
        o.Id, o.Name, o.Domain, o.Industry, o.Size, o.Addresses, o.Tags, o.Segment, o.Rating, o.LifecycleStage, o.CustomFields.RootElement.Clone(), o.ParentOrganizationId, o.OwnerId,
        o.CreatedAt, o.CreatedBy, o.UpdatedAt, o.UpdatedBy, o.Version);
}

/// <param name="Depth">Steps from the organization asked about: 1 for its parent or a direct subsidiary.</param>
public sealed record OrganizationInHierarchy(int Depth, OrganizationResponse Organization);

/// <summary>Every subsidiary below an organization, depth first; <c>truncated</c> when there were more than the answer holds.</summary>
public sealed record OrganizationTree(IReadOnlyList<OrganizationInHierarchy> Items, bool Truncated);

/// <summary>An organization's parent, grandparent and so on up to the root, nearest first.</summary>
public sealed record OrganizationAncestors(IReadOnlyList<OrganizationInHierarchy> Items);
