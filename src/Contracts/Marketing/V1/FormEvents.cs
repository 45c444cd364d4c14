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
/// <param name="Consents">Added: the consent boxes the visitor ticked, each with the wording the form showed. Absent (null) in events published before it.</param>
/// <param name="DoubleOptIn">Added: the form asks the person to confirm the ticked email consents by double opt-in rather than granting them at once.</param>
/// <param name="IpAddress">Added: the visitor's address as Marketing saw it (evidence of consent).</param>
/// <param name="UserAgent">Added: the visitor's browser as it said (evidence of consent).</param>
/// <param name="PageUrl">Added: the page the form was on (its <c>Origin</c> or <c>Referer</c>), when the browser said.</param>
public sealed record FormSubmitted(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version,
    Guid FormId, Guid? CampaignId, FormSubmission Submission, bool CreateLead,
    IReadOnlyList<FormConsentGiven>? Consents = null, bool DoubleOptIn = false, string? IpAddress = null, string? UserAgent = null,
    string? PageUrl = null) : IIntegrationEvent;

/// <summary>One consent box the visitor ticked on a web form.</summary>
/// <param name="Purpose">As in <c>ConsentChanged</c>: <c>newsletter</c>, <c>product-updates</c>, <c>events</c>.</param>
/// <param name="Channel">As in <c>ConsentChanged</c>: <c>email</c>, <c>phone</c>, <c>post</c>, <c>sms</c>.</param>
/// <param name="Text">The wording next to the box, exactly as the form showed it (what the person agreed to).</param>
public sealed record FormConsentGiven(string Purpose, string Channel, string Text);
