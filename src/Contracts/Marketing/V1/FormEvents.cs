namespace CrmPlatform.Contracts.Marketing.V1;

/// <summary>
/// What a visitor typed into one of the tenant's web forms, as submitted (untrusted text; Marketing checks only that the
/// form exists and the submission is not a bot's).
/// </summary>
/// <param name="Country">ISO 3166-1 alpha-2, or what the visitor typed.</param>
/// <param name="ProductInterest">A product key or SKU the form offered.</param>
/// <param name="ConsentGiven">The visitor ticked the form's consent box (its wording and evidence stay in Marketing).</param>
public sealed record FormSubmission(
    string? FirstName,
    string? LastName,
    string? Email,
    string? Phone,
    string? Company,
    string? Country,
    string? JobTitle,
    string? ProductInterest,
    string? Message,
    bool ConsentGiven);

/// <summary>
/// A web form was submitted. When <paramref name="CreateLead"/> is set (a contact or demo form rather than a newsletter
/// sign-up), Sales captures a lead from it, once per submission (source <c>web-form</c>, reference the submission id).
/// <see cref="IIntegrationEvent.AggregateId"/> is the submission's id and <see cref="IIntegrationEvent.Version"/> is 1:
/// a submission never changes.
/// </summary>
/// <param name="FormId">Marketing's form.</param>
/// <param name="CampaignId">The campaign the form belongs to, if any.</param>
public sealed record FormSubmitted(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version,
    Guid FormId, Guid? CampaignId, FormSubmission Submission, bool CreateLead) : IIntegrationEvent;
