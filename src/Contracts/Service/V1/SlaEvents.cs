namespace CrmPlatform.Contracts.Service.V1;

/// <summary>
/// A ticket's SLA target (<see cref="Target"/>: <c>first-response</c> or <c>resolution</c>) has used its policy's
/// warning percentage of business time and is still open. Published once per target and arming: a pause, a priority
/// change or a reopening that moves the warning instant into the future arms it again. <see cref="AggregateId"/> is
/// the ticket (its SLA clock has the same id); <see cref="Version"/> is the clock's version. <see cref="GroupId"/> and
/// <see cref="AssigneeId"/> are who worked the ticket as far as the clock knew, for escalation; null when unknown.
/// </summary>
public sealed record SlaWarning(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version,
    string Target, Guid PolicyId, string Priority, DateTime DueAt, DateTime WarnAt, int WarningPercent,
    Guid? OrganizationId, Guid? GroupId, string? AssigneeId) : IIntegrationEvent;

/// <summary>
/// A ticket's SLA target was not met in time: its due instant passed while it was open, or the reply or solution came
/// after it (<see cref="MetAt"/> is then set). Published exactly once per ticket and target.
/// </summary>
public sealed record SlaBreached(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version,
    string Target, Guid PolicyId, string Priority, DateTime DueAt, DateTime? MetAt,
    Guid? OrganizationId, Guid? GroupId, string? AssigneeId) : IIntegrationEvent;
