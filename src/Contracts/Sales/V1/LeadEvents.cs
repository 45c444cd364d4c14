namespace CrmPlatform.Contracts.Sales.V1;

/// <summary>
/// A lead after a change: what assignment, scoring and partners decide by. The person's name, email and phone stay in
/// Sales (personal data travels no further than it must); a subscriber that needs them reads the lead through the API.
/// </summary>
/// <param name="Country">ISO 3166-1 alpha-2.</param>
/// <param name="Source">How the lead was captured: <c>api</c>, <c>import</c>, <c>web-form</c>, <c>referral</c>, <c>event</c>, <c>partner</c>, <c>other</c>.</param>
/// <param name="SourceReference">Where in its source (a form submission id, an import row), when captured from one.</param>
/// <param name="Status"><c>new</c>, <c>working</c>, <c>qualified</c>, <c>disqualified</c> or <c>converted</c>.</param>
/// <param name="OwnerId">Who the lead belongs to (a user or API client id): record scopes follow it.</param>
public sealed record LeadSnapshot(
    string? Company,
    string? CompanyDomain,
    string? Industry,
    int? EmployeeCount,
    string? Country,
    string? Region,
    string? PostalCode,
    string Source,
    string? SourceReference,
    Guid? CampaignId,
    IReadOnlyList<string> ProductInterests,
    string Status,
    string? OwnerId);

/// <summary>A lead was captured (by the API, an import or a web form), in status <c>new</c>.</summary>
public sealed record LeadCreated(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version, LeadSnapshot Lead) : IIntegrationEvent;

/// <summary>A lead was qualified: worth converting into a customer and an opportunity.</summary>
/// <param name="QualifiedBy">Who qualified it (a user or API client id).</param>
public sealed record LeadQualified(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version, string QualifiedBy, LeadSnapshot Lead) : IIntegrationEvent;

/// <summary>A lead was disqualified, with why (free text of the tenant's users); a later reopening sets it back to <c>working</c>.</summary>
/// <param name="DisqualifiedBy">Who disqualified it (a user or API client id).</param>
public sealed record LeadDisqualified(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version, string DisqualifiedBy, string Reason, LeadSnapshot Lead) : IIntegrationEvent;
