namespace CrmPlatform.Contracts.Sales.V1;

/// <summary>The person a conversion makes from a lead's data, when it reuses none.</summary>
public sealed record LeadPersonData(
    string? FirstName, string LastName, string Email, string? Phone, string? JobTitle,
    string? Country, string? Region, string? PostalCode, string? City);

/// <summary>The organization a conversion makes from a lead's company, when it reuses none.</summary>
public sealed record LeadOrganizationData(string Name, string? Domain, string? Industry, int? EmployeeCount);

/// <summary>
/// Sales asks Contacts to resolve the person and organization of a lead conversion (the conversion is the aggregate).
/// Contacts answers once per conversion with <see cref="Contacts.V1.LeadContactsResolved"/> or
/// <see cref="Contacts.V1.LeadContactsRejected"/>. The ids of records to create are chosen here, so that a request
/// delivered twice can only ever make the same records.
/// </summary>
/// <param name="PersonId">An existing person to reuse; else <paramref name="NewPerson"/> is reused by email or created with <paramref name="NewPersonId"/>.</param>
/// <param name="OrganizationId">An existing organization to reuse; else <paramref name="NewOrganization"/> (if any) is reused by domain or name, or created with <paramref name="NewOrganizationId"/>.</param>
/// <param name="OwnerId">Who new records belong to: the lead's owner.</param>
public sealed record LeadConversionRequested(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version,
    Guid LeadId, string RequestedBy, string? OwnerId,
    Guid? PersonId, LeadPersonData? NewPerson, Guid NewPersonId,
    Guid? OrganizationId, LeadOrganizationData? NewOrganization, Guid NewOrganizationId) : IIntegrationEvent;

/// <summary>
/// A lead became a customer: the person and organization it is in Contacts and the opportunity made from it (null
/// when the conversion asked for none). The aggregate is the lead; <see cref="Version"/> the lead's version.
/// </summary>
public sealed record LeadConverted(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version,
    Guid ConversionId, Guid PersonId, bool PersonCreated, Guid? OrganizationId, bool OrganizationCreated,
    Guid? OpportunityId, string ConvertedBy) : IIntegrationEvent;
