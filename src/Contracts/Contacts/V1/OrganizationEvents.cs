namespace CrmPlatform.Contracts.Contacts.V1;

/// <summary>The state of an organization after a change.</summary>
public sealed record OrganizationSnapshot(
    string Name,
    string? Domain,
    string? Industry,
    Guid? ParentOrganizationId);

public sealed record OrganizationCreated(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version, OrganizationSnapshot Organization) : IIntegrationEvent;

public sealed record OrganizationUpdated(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version, OrganizationSnapshot Organization) : IIntegrationEvent;

public sealed record OrganizationDeleted(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version) : IIntegrationEvent;
