namespace CrmPlatform.Contracts.Contacts.V1;

/// <summary>The state of a person after a change; carried by <see cref="PersonCreated"/> and <see cref="PersonUpdated"/>.</summary>
public sealed record PersonSnapshot(
    string FirstName,
    string LastName,
    string Email,
    string? Phone,
    string? JobTitle,
    Guid? OrganizationId);

public sealed record PersonCreated(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version, PersonSnapshot Person) : IIntegrationEvent;

public sealed record PersonUpdated(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version, PersonSnapshot Person) : IIntegrationEvent;

public sealed record PersonDeleted(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version) : IIntegrationEvent;
