namespace CrmPlatform.Contracts.Contacts.V1;

/// <summary>
/// Contacts' answer to <see cref="Sales.V1.LeadConversionRequested"/>: the person and organization of the conversion
/// (the aggregate), each either created by it or reused. The display names let Sales show the customer before the
/// records' own events reach its directory.
/// </summary>
public sealed record LeadContactsResolved(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version,
    Guid LeadId, Guid PersonId, bool PersonCreated, string PersonDisplayName, string PersonEmail,
    Guid? OrganizationId, bool OrganizationCreated, string? OrganizationName) : IIntegrationEvent;

/// <summary>
/// Contacts could not resolve a conversion's people (a record to reuse is missing, erased or restricted); nothing was
/// written. <see cref="Errors"/> name the request fields at fault, as in a 422.
/// </summary>
public sealed record LeadContactsRejected(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version,
    Guid LeadId, string Detail, IReadOnlyDictionary<string, string[]> Errors) : IIntegrationEvent;
