namespace CrmPlatform.Contracts.Service.V1;

/// <summary>
/// A requester rated the service they got on a solved ticket (the one-click link in the CSAT email). Once per survey:
/// a second click changes nothing and raises nothing.
/// </summary>
/// <param name="AggregateId">The survey.</param>
/// <param name="Rating"><c>good</c> or <c>bad</c>.</param>
/// <param name="HasComment">Whether they left a comment (the text stays in Service).</param>
/// <param name="AgentId">The agent the ticket was assigned to when solved, if any.</param>
/// <param name="GroupId">The support group it was in when solved, if any.</param>
public sealed record CsatReceived(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version,
    Guid TicketId, long TicketNumber, Guid? RequesterId, string Rating, bool HasComment, string? AgentId, Guid? GroupId, DateTime RatedAt) : IIntegrationEvent;
