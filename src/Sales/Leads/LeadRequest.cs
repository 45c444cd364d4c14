using System.Text.RegularExpressions;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Sales.Leads;

/// <summary>
/// A lead as written, by the API, an import row or a web form: the one place its fields are checked and normalized
/// (email lower-cased, country upper-cased, product interests trimmed and distinct). Status is not here: it changes
/// only through <c>PUT /api/v1/leads/{id}/status</c> and conversion.
/// </summary>
public sealed partial record LeadRequest(
    string? FirstName, string? LastName, string? Email, string? Phone, string? JobTitle,
    string? Company, string? CompanyDomain, string? Industry, int? EmployeeCount,
    string? Country, string? Region, string? PostalCode, string? City,
    string? Source, Guid? CampaignId, string? SourceReference, IReadOnlyList<string?>? ProductInterests, string? Description)
{
    public const int MaxProductInterests = 20;
    public const int ProductInterestMaxLength = 100;

    public FieldErrors Validate() => new FieldErrors()
        .MaxLength("firstName", FirstName, Lead.NameMaxLength)
        .Required("lastName", LastName, Lead.NameMaxLength)
        .MaxLength("email", Email, 254)
        .Email("email", Email)
        .MaxLength("phone", Phone, 40)
        .When(Phone is not null && !PhoneText().IsMatch(Phone.Trim()), "phone", "phone has digits, spaces and + ( ) - . / only.")
        .When(string.IsNullOrWhiteSpace(Email) && string.IsNullOrWhiteSpace(Phone), "email", "Give an email or a phone to reach the lead by.")
        .MaxLength("jobTitle", JobTitle, Lead.TextMaxLength)
        .MaxLength("company", Company, Lead.TextMaxLength)
        .MaxLength("companyDomain", CompanyDomain, Lead.TextMaxLength)
        .When(!string.IsNullOrWhiteSpace(CompanyDomain) && Uri.CheckHostName(CompanyDomain.Trim()) != UriHostNameType.Dns,
            "companyDomain", "companyDomain must be a host name such as example.com.")
        .MaxLength("industry", Industry, Lead.TextMaxLength)
        .When(EmployeeCount < 0, "employeeCount", "employeeCount cannot be negative.")
        .When(!string.IsNullOrWhiteSpace(Country) && !CountryCode().IsMatch(Country.Trim().ToUpperInvariant()), "country",
            "country must be an ISO 3166-1 alpha-2 code such as DE.")
        .MaxLength("region", Region, Lead.TextMaxLength)
        .MaxLength("postalCode", PostalCode, 20)
        .MaxLength("city", City, Lead.TextMaxLength)
        .When(Source is not null && !LeadSources.All.Contains(Source), "source", $"source must be one of: {string.Join(", ", LeadSources.All)}.")
        .When(CampaignId == Guid.Empty, "campaignId", "campaignId is not a campaign id.")
        .MaxLength("sourceReference", SourceReference, Lead.TextMaxLength)
        .When(ProductInterests?.Count > MaxProductInterests, "productInterests", $"At most {MaxProductInterests} product interests.")
        .When(ProductInterests?.Any(p => string.IsNullOrWhiteSpace(p) || p.Trim().Length > ProductInterestMaxLength) == true, "productInterests",
            $"Each product interest is a key or SKU of 1 to {ProductInterestMaxLength} characters.")
        .MaxLength("description", Description, Lead.DescriptionMaxLength);

    /// <summary>Everything but status, owner and conversion links; source, campaign and reference stay when left out.</summary>
    public void ApplyTo(Lead lead)
    {
        lead.FirstName = Trimmed(FirstName);
        lead.LastName = LastName!.Trim();
        lead.Email = Trimmed(Email)?.ToLowerInvariant();
        lead.Phone = Trimmed(Phone);
        lead.JobTitle = Trimmed(JobTitle);
        lead.Company = Trimmed(Company);
        lead.CompanyDomain = Trimmed(CompanyDomain)?.ToLowerInvariant();
        lead.Industry = Trimmed(Industry);
        lead.EmployeeCount = EmployeeCount;
        lead.Country = Trimmed(Country)?.ToUpperInvariant();
        lead.Region = Trimmed(Region);
        lead.PostalCode = Trimmed(PostalCode);
        lead.City = Trimmed(City);
        // Where a lead came from is kept when an update leaves it out.
        lead.Source = Source ?? lead.Source;
        lead.CampaignId = CampaignId ?? lead.CampaignId;
        lead.SourceReference = Trimmed(SourceReference) ?? lead.SourceReference;
        lead.ProductInterests = [.. (ProductInterests ?? []).Select(p => p!.Trim()).Distinct(StringComparer.OrdinalIgnoreCase)];
        lead.Description = string.IsNullOrWhiteSpace(Description) ? null : Description.Trim();
    }

    private static string? Trimmed(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex CountryCode();

    [GeneratedRegex(@"^\+?[0-9 ()\-./]{3,40}$")]
    private static partial Regex PhoneText();
}

/// <summary>A status change: <c>working</c>, <c>qualified</c> or <c>disqualified</c> (with <c>disqualificationReason</c>).</summary>
public sealed record LeadStatusRequest(string? Status, string? DisqualificationReason);

public sealed record LeadResponse(
    Guid Id, string? FirstName, string LastName, string? Email, string? Phone, string? JobTitle,
    string? Company, string? CompanyDomain, string? Industry, int? EmployeeCount,
    string? Country, string? Region, string? PostalCode, string? City,
    string Source, Guid? CampaignId, string? SourceReference, IReadOnlyList<string> ProductInterests, string? Description,
    string Status, string? DisqualificationReason,
    Guid? ConvertedPersonId, Guid? ConvertedOrganizationId, Guid? ConvertedOpportunityId, DateTime? ConvertedAt,
    Guid? AssignedByRuleId, string? AssignmentReason, double? Score, string? ScoreMethod,
    string? OwnerId, DateTime CreatedAt, string? CreatedBy, DateTime UpdatedAt, string? UpdatedBy, int Version)
{
    public static LeadResponse From(Lead l) => new(
        l.Id, l.FirstName, l.LastName, l.Email, l.Phone, l.JobTitle, l.Company, l.CompanyDomain, l.Industry, l.EmployeeCount,
        l.Country, l.Region, l.PostalCode, l.City, l.Source, l.CampaignId, l.SourceReference, l.ProductInterests, l.Description,
        l.Status, l.DisqualificationReason, l.ConvertedPersonId, l.ConvertedOrganizationId, l.ConvertedOpportunityId, l.ConvertedAt,
        l.AssignedByRuleId, l.AssignmentReason, l.Score, l.ScoreMethod,
        l.OwnerId, l.CreatedAt, l.CreatedBy, l.UpdatedAt, l.UpdatedBy, l.Version);
}
