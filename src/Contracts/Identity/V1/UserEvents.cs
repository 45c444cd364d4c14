namespace CrmPlatform.Contracts.Identity.V1;

/// <summary>
/// The state of a user after a change: enough for a service to show an owner's name and decide what their roles and
/// teams let them see, without calling Identity.
/// </summary>
public sealed record UserSnapshot(
    string DisplayName,
    string Email,
    IReadOnlyList<string> Roles,
    IReadOnlyList<Guid> TeamIds,
    bool Disabled);

public sealed record UserCreated(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version, UserSnapshot User) : IIntegrationEvent;

public sealed record UserUpdated(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version, UserSnapshot User) : IIntegrationEvent;

public sealed record UserDeleted(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version) : IIntegrationEvent;
