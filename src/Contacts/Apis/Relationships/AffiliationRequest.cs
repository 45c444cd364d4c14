using CrmPlatform.Contacts.Model;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Contacts.Apis;

/// <summary>A person's role at an organization as clients send it; <c>roles</c> from decision-maker, influencer, user, champion.</summary>
public sealed record AffiliationRequest(Guid? OrganizationId, string? Title, IReadOnlyList<string?>? Roles, DateOnly? StartedOn, DateOnly? EndedOn)
{
    public FieldErrors Validate(out string[] roles)
    {
        var errors = new FieldErrors()
            .When(OrganizationId is null, "organizationId", "organizationId is required.")
            .MaxLength("title", Title, Affiliation.TitleMaxLength)
            .When(StartedOn is { } from && EndedOn is { } to && to < from, "endedOn", "endedOn cannot be before startedOn.");
        var parsed = new List<AffiliationRole>();
        for (var i = 0; i < (Roles?.Count ?? 0); i++)
        {
            if (ContactDetailsInput.Kind<AffiliationRole>(errors, $"roles[{i}]", Roles![i] ?? "") is { } role)
            {
                parsed.Add(role);
            }
        }
        roles = [.. parsed.Distinct().Order().Select(KindNames.Of)];
        return errors;
    }

    public void ApplyTo(Affiliation affiliation, string[] roles)
    {
        affiliation.OrganizationId = OrganizationId!.Value;
        affiliation.Title = ContactDetailsInput.Trimmed(Title);
        affiliation.Roles = roles;
        affiliation.StartedOn = StartedOn;
        affiliation.EndedOn = EndedOn;
    }
}

public sealed record AffiliationResponse(
    Guid Id,
    Guid PersonId,
    Guid OrganizationId,
    string? Title,
    IReadOnlyList<string> Roles,
    DateOnly? StartedOn,
    DateOnly? EndedOn,
    DateTime CreatedAt,
    string? CreatedBy,
    DateTime UpdatedAt,
    string? UpdatedBy,
    int Version)
{
    public static AffiliationResponse From(Affiliation a) => new(
        a.Id, a.PersonId, a.OrganizationId, a.Title, a.Roles, a.StartedOn, a.EndedOn, a.CreatedAt, a.CreatedBy, a.UpdatedAt, a.UpdatedBy, a.Version);
}
