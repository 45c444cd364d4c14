namespace CrmPlatform.Contracts.Contacts.V1;

/// <summary>
/// Contacts' answer to <see cref="Service.V1.TicketRequesterRequested"/>: the person with the address, found or created
/// (then also announced by its own <c>PersonCreated</c>). The display name and email let Service show the requester
/// before the person's own events reach its directory.
/// </summary>
public sealed record TicketRequesterResolved(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version,
    Guid TicketId, Guid PersonId, bool PersonCreated, string PersonDisplayName, string PersonEmail, Guid? OrganizationId) : IIntegrationEvent;

/// <summary>
/// Contacts will not link the address to a person (its person erased or restricted their data); nothing was written.
/// </summary>
public sealed record TicketRequesterRejected(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version, Guid TicketId, string Detail) : IIntegrationEvent;
