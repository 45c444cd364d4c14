using System.Text.Json;

namespace CrmPlatform.Contracts.Contacts.V1;

/// <summary>The state of an organization after a change.</summary>
public sealed record OrganizationSnapshot(
    string Name,
    string? Domain,
    string? Industry,
    Guid? ParentOrganizationId)
{
    // Added after the first release of V1 (additive): events published before carry none of these.

    /// <summary>The employee band: 1-10, 11-50, 51-200, 201-500, 501-1000, 1001-5000, 5001-10000 or 10001+.</summary>
    public string? Size { get; init; }

    public IReadOnlyList<ContactAddress>? Addresses { get; init; }

    /// <summary>Normalized (lower-case) tags, sorted.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>Who the organization belongs to in Contacts (a user or API client id): record scopes follow it.</summary>
    public string? OwnerId { get; init; }

    /// <summary>The tenant's own segment name.</summary>
    public string? Segment { get; init; }

    /// <summary>cold, warm or hot.</summary>
    public string? Rating { get; init; }

    /// <summary>subscriber, lead, customer or former-customer.</summary>
    public string? LifecycleStage { get; init; }

    /// <summary>
    /// The tenant's custom fields that have a value, by key: text, number, date (<c>yyyy-MM-dd</c>), boolean, a choice
    /// or a list of choices, as the tenant defined them (<c>/api/v1/custom-fields</c> in Contacts).
    /// </summary>
    public IReadOnlyDictionary<string, JsonElement>? CustomFields { get; init; }
}

public sealed record OrganizationCreated(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version, OrganizationSnapshot Organization) : IIntegrationEvent;

public sealed record OrganizationUpdated(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version, OrganizationSnapshot Organization) : IIntegrationEvent;

public sealed record OrganizationDeleted(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version) : IIntegrationEvent;
