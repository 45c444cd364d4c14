namespace CrmPlatform.Contracts.Sales.V1;

/// <summary>The state of an opportunity after a change.</summary>
/// <param name="CustomerId">A person or organization from Contacts.</param>
/// <param name="PipelineId">The tenant's pipeline the opportunity is in.</param>
/// <param name="Stage">The stage's key in that pipeline (<c>proposal</c>).</param>
/// <param name="Probability">The stage's probability (0–100) when the event was raised; the pipeline may change it later.</param>
/// <param name="OwnerId">Who the opportunity belongs to (a user or API client id): record scopes follow it.</param>
public sealed record OpportunitySnapshot(
    string Name,
    decimal Amount,
    string Currency,
    Guid CustomerId,
    Guid PipelineId,
    string Stage,
    int Probability,
    DateOnly? ExpectedCloseDate,
    string? OwnerId);

/// <summary>An opportunity was created, in the stage the snapshot names.</summary>
public sealed record OpportunityCreated(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version, OpportunitySnapshot Opportunity) : IIntegrationEvent;

/// <summary>
/// An opportunity moved from one stage to another (possibly into another pipeline); the snapshot holds the new stage.
/// The time it spent in the stage it left is <c>OccurredAt - FromStageEnteredAt</c>.
/// </summary>
/// <param name="ChangedBy">Who moved it (a user or API client id).</param>
public sealed record OpportunityStageChanged(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version,
    Guid FromPipelineId, string FromStage, DateTime FromStageEnteredAt, string ChangedBy, OpportunitySnapshot Opportunity) : IIntegrationEvent;

/// <summary>An opportunity entered a won stage: it is closed as of <paramref name="ClosedAt"/>.</summary>
public sealed record OpportunityWon(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version,
    DateTime ClosedAt, OpportunitySnapshot Opportunity) : IIntegrationEvent;

/// <summary>An opportunity entered a lost stage: it is closed, with why it was lost and, if known, to whom.</summary>
public sealed record OpportunityLost(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version,
    DateTime ClosedAt, string LostReason, string? Competitor, OpportunitySnapshot Opportunity) : IIntegrationEvent;
