namespace CrmPlatform.Contracts.Service.V1;

/// <summary>
/// The state of a ticket after a change. Free text (description, messages) and the requester's address stay in Service:
/// subscribers key by <paramref name="RequesterId"/>, a person from Contacts (null until Contacts has resolved an
/// address it did not know).
/// </summary>
/// <param name="Number">The tenant's ticket number (<c>#1042</c>), unique per tenant.</param>
/// <param name="Status"><c>new</c>, <c>open</c>, <c>pending</c>, <c>on-hold</c>, <c>solved</c> or <c>closed</c>.</param>
/// <param name="Priority"><c>low</c>, <c>normal</c>, <c>high</c> or <c>urgent</c>.</param>
/// <param name="Channel"><c>email</c>, <c>web</c> or <c>api</c>.</param>
/// <param name="AssigneeId">The agent (a user id) working it, if any.</param>
/// <param name="GroupId">The support group whose queue it is in, if any.</param>
public sealed record TicketSnapshot(
    long Number,
    string Subject,
    string Status,
    string Priority,
    string Channel,
    Guid? RequesterId,
    Guid? OrganizationId,
    string? Category,
    string? Topic,
    string? Product,
    string? Language,
    IReadOnlyList<string> Tags,
    string? AssigneeId,
    Guid? GroupId);

/// <summary>A ticket was opened, from any channel.</summary>
public sealed record TicketCreated(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version, TicketSnapshot Ticket) : IIntegrationEvent;

/// <summary>
/// A ticket changed: <paramref name="ChangedFields"/> names what (camelCase, as the API writes it: <c>status</c>,
/// <c>assigneeId</c>, <c>requesterId</c>…); <paramref name="PreviousStatus"/> is set when the status changed.
/// </summary>
/// <param name="ChangedBy">A user or API client id, or <c>system</c> (routing, Contacts' answer, a customer's reply).</param>
public sealed record TicketUpdated(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version,
    IReadOnlyList<string> ChangedFields, string? PreviousStatus, string ChangedBy, TicketSnapshot Ticket) : IIntegrationEvent;

/// <summary>A ticket entered <c>solved</c> (raised beside the <see cref="TicketUpdated"/> of the same change and version).</summary>
public sealed record TicketSolved(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version, DateTime SolvedAt, TicketSnapshot Ticket) : IIntegrationEvent;

/// <summary>A ticket entered <c>closed</c>, which is final (raised beside the <see cref="TicketUpdated"/> of the same change).</summary>
public sealed record TicketClosed(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version, DateTime ClosedAt, TicketSnapshot Ticket) : IIntegrationEvent;
