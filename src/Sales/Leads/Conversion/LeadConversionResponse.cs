namespace CrmPlatform.Sales.Leads.Conversion;

/// <summary>Why a conversion failed, in the terms of a 422: a sentence, and the request fields at fault.</summary>
public sealed record LeadConversionProblem(string Detail, IReadOnlyDictionary<string, string[]> Errors);

/// <summary>
/// A conversion as it stands: <c>requested</c> while Contacts resolves the people, then <c>completed</c> (the links say
/// what the lead became; each <c>…Created</c> whether the conversion made that record or reused it) or <c>failed</c>
/// (<c>problem</c> says why; the lead is unchanged).
/// </summary>
public sealed record LeadConversionResponse(
    Guid Id, Guid LeadId, string State, string RequestedBy, DateTime RequestedAt, DateTime? FinishedAt,
    Guid? PersonId, bool PersonCreated, Guid? OrganizationId, bool OrganizationCreated, Guid? OpportunityId,
    LeadConversionProblem? Problem)
{
    public static LeadConversionResponse From(LeadConversion c) => new(
        c.Id, c.LeadId, c.State, c.RequestedBy, c.CreatedAt, c.CompletedAt,
        c.PersonId, c.PersonCreated, c.OrganizationId, c.OrganizationCreated,
        c.State == LeadConversionStates.Completed && c.CreateOpportunity ? c.OpportunityId : null,
        c.FailureDetail is null ? null : new LeadConversionProblem(c.FailureDetail, c.Errors() ?? new Dictionary<string, string[]>()));
}
