namespace CrmPlatform.Contracts.Service.V1;

/// <summary>
/// Service asks Contacts for the person behind an email address it does not know (the ticket is the aggregate).
/// Contacts finds the person with that address, or creates one with <paramref name="NewPersonId"/> (chosen here, so a
/// request delivered twice can only ever make the same person), and answers once with
/// <see cref="Contacts.V1.TicketRequesterResolved"/> or <see cref="Contacts.V1.TicketRequesterRejected"/>.
/// </summary>
/// <param name="RequestedBy">Who opened the ticket (a user or API client id, or <c>system</c> for mail and web forms).</param>
public sealed record TicketRequesterRequested(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version,
    Guid TicketId, string Email, string? FirstName, string LastName, Guid NewPersonId, string RequestedBy) : IIntegrationEvent;
