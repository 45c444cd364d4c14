namespace CrmPlatform.Contracts.Sales.V1;

/// <summary>
/// A call, meeting, logged email or note was recorded in Sales. It carries what happened and what it is about, not what
/// was said: subject and body stay in Sales (personal data travels no further than it must).
/// <see cref="ContactId"/> is a person or organization of the contact directory; at least one link is set.
/// <see cref="LeadId"/> (added) is a lead of Sales, for engagement before conversion; absent in events published before it.
/// </summary>
public sealed record ActivityLogged(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version,
    string Kind, DateTime ActivityOccurredAt, int? DurationMinutes, Guid? ContactId, Guid? OpportunityId, string? OwnerId, Guid? LeadId = null) : IIntegrationEvent;

/// <summary>
/// A task's reminder time arrived while the task was open. Published once per task and reminder time: changing the
/// reminder time re-arms it, and a reminder that came due while Sales was down is published when it is back.
/// <see cref="LeadId"/> (added) is the lead the task is about, if any. <see cref="AssigneeId"/> is whom to remind; <see cref="Subject"/> is what the tenant's user typed (untrusted text).
/// </summary>
public sealed record TaskDue(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version,
    string Subject, DateTime DueAt, DateTime ReminderAt, string Priority, string? AssigneeId, Guid? ContactId, Guid? OpportunityId, Guid? LeadId = null) : IIntegrationEvent;
