using System.Text.RegularExpressions;
using CrmPlatform.Sales.Model;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Sales.Leads.Conversion;

/// <summary>
/// What a conversion makes. <c>personId</c> / <c>organizationId</c> reuse existing records of Contacts; without them the
/// person is made from the lead (or found by its email) and the organization from its company (or found by domain or
/// name). <c>createOpportunity</c> defaults to true; the opportunity's fields default to the lead's company or name,
/// 0.00 EUR, the tenant's default pipeline and its first stage.
/// </summary>
public sealed record LeadConversionRequest(
    Guid? PersonId = null, Guid? OrganizationId = null, bool? CreateOpportunity = null, ConvertedOpportunityRequest? Opportunity = null);

public sealed partial record ConvertedOpportunityRequest(
    string? Name = null, decimal? Amount = null, string? Currency = null, Guid? PipelineId = null, string? Stage = null, DateOnly? ExpectedCloseDate = null)
{
    public const string DefaultCurrency = "EUR";

    public FieldErrors Validate(FieldErrors errors) => errors
        .MaxLength("opportunity.name", Name, Opportunity.NameMaxLength)
        .When(Name is not null && string.IsNullOrWhiteSpace(Name), "opportunity.name", "opportunity.name cannot be blank.")
        .When(Amount < 0, "opportunity.amount", "opportunity.amount cannot be negative.")
        .When(Amount is not null && decimal.Round(Amount.Value, 2) != Amount, "opportunity.amount", "opportunity.amount has at most two decimals.")
        .When(Currency is not null && !CurrencyCode().IsMatch(Currency), "opportunity.currency", "opportunity.currency must be an ISO 4217 code such as EUR.");

    /// <summary>The name the opportunity gets when none is given: the company, else the person.</summary>
    public static string DefaultName(Lead lead)
    {
        var name = !string.IsNullOrWhiteSpace(lead.Company) ? lead.Company.Trim() : $"{lead.FirstName} {lead.LastName}".Trim();
        return name.Length > Opportunity.NameMaxLength ? name[..Opportunity.NameMaxLength] : name;
    }

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyCode();
}
