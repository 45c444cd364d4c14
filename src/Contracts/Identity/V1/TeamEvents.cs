namespace CrmPlatform.Contracts.Identity.V1;

/// <summary>The state of a team after a change, with all its members (teams are small).</summary>
public sealed record TeamSnapshot(
    string Name,
    IReadOnlyList<Guid> MemberIds);

public sealed record TeamCreated(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version, TeamSnapshot Team) : IIntegrationEvent;

public sealed record TeamUpdated(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version, TeamSnapshot Team) : IIntegrationEvent;

public sealed record TeamDeleted(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version) : IIntegrationEvent;
