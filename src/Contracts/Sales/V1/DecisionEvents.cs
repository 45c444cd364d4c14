namespace CrmPlatform.Contracts.Sales.V1;

/// <summary>
/// Someone recorded how the customer decided a closed opportunity: who decided (people of the contact directory), and
/// what they chose instead. Published each time the decision is recorded or corrected through the API (not when closing
/// the opportunity creates it: <c>OpportunityWon</c> and <c>OpportunityLost</c> say that). The free-text reason stays in
/// Sales. The aggregate is the decision; <see cref="OpportunityId"/> its opportunity.
/// </summary>
/// <param name="Outcome"><c>won</c> or <c>lost</c>.</param>
/// <param name="AlternativeChosen">What the customer chose instead (a competitor, "no decision", "in-house"); null when not known or won.</param>
/// <param name="IsComplete">Whether who, why and, for a loss, the alternative are all known.</param>
public sealed record DealDecisionRecorded(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version,
    Guid OpportunityId, string Outcome, IReadOnlyList<Guid> DecidedByContactIds, string? AlternativeChosen, bool IsComplete,
    string? OwnerId) : IIntegrationEvent;
