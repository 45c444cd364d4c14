using CrmPlatform.Contracts;
using CrmPlatform.Contracts.Sales.V1;
using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Sales.Leads;

/// <summary>
/// Someone who may become a customer, before Contacts knows them: who they are, where they came from, how they fit,
/// and, once converted, what they became (a person and organization in Contacts, an opportunity here).
/// </summary>
public sealed class Lead : AuditedEntity
{
    public const int NameMaxLength = 100;
    public const int TextMaxLength = 200;
    public const int DescriptionMaxLength = 4_000;

    public string? FirstName { get; set; }
    public string LastName { get; set; } = "";
    public string? Email { get; set; }
    public string? Phone { get; set; }
    /// <summary>The person's job title, as given.</summary>
    public string? JobTitle { get; set; }

    public string? Company { get; set; }
    /// <summary>The company's web domain (example.com), which Contacts' organization rules match on.</summary>
    public string? CompanyDomain { get; set; }
    public string? Industry { get; set; }
    public int? EmployeeCount { get; set; }

    /// <summary>ISO 3166-1 alpha-2.</summary>
    public string? Country { get; set; }
    /// <summary>A state, Land or county as the territory rules name it.</summary>
    public string? Region { get; set; }
    public string? PostalCode { get; set; }
    public string? City { get; set; }

    /// <summary>One of <see cref="LeadSources"/>.</summary>
    public string Source { get; set; } = LeadSources.Api;
    /// <summary>Marketing's campaign the lead came from, if any.</summary>
    public Guid? CampaignId { get; set; }
    /// <summary>Where the lead came from in its source (a form submission, an import row), so capturing it again is a no-op.</summary>
    public string? SourceReference { get; set; }
    /// <summary>Product keys or SKUs the lead asked about.</summary>
    public List<string> ProductInterests { get; set; } = [];
    public string? Description { get; set; }

    /// <summary>One of <see cref="LeadStatuses"/>.</summary>
    public string Status { get; set; } = LeadStatuses.New;
    /// <summary>Required when disqualified.</summary>
    public string? DisqualificationReason { get; set; }

    /// <summary>
    /// The person of the contact directory who had the lead's email when the lead was captured or last changed: GDPR
    /// requests find the lead by it even after Contacts has replaced an erased person's address everywhere.
    /// </summary>
    public Guid? EmailPersonId { get; set; }

    public Guid? ConvertedPersonId { get; set; }
    public Guid? ConvertedOrganizationId { get; set; }
    public Guid? ConvertedOpportunityId { get; set; }
    public DateTime? ConvertedAt { get; set; }

    /// <summary>Built when taken, after the DbContext has stamped the tenant and the version the events carry.</summary>
    private Func<IIntegrationEvent>? _statusEvent;

    public LeadSnapshot Snapshot() => new(
        Company, CompanyDomain, Industry, EmployeeCount, Country, Region, PostalCode, Source, SourceReference, CampaignId,
        [.. ProductInterests], Status, OwnerId);

    public LeadCreated Created() => new(Guid.CreateVersion7(), CreatedAt, TenantId, Id, Version, Snapshot());

    /// <summary>
    /// Moves the lead along new → working → qualified | disqualified (a disqualified or qualified lead may be reopened
    /// to working; a new one may be disqualified at once). <c>converted</c> is conversion's alone, and a converted lead
    /// stays so. Returns why not, or null when moved (or already there with the same reason).
    /// </summary>
    public LeadStatusRefusal? ChangeStatus(string to, string? reason, string actor)
    {
        if (to == LeadStatuses.Converted)
        {
            return new LeadStatusRefusal(LeadStatusRefusalKind.Unprocessable, "status",
                "A lead becomes converted only by converting it (POST /api/v1/leads/{id}/convert).");
        }
        if (to == LeadStatuses.Disqualified && string.IsNullOrWhiteSpace(reason))
        {
            return new LeadStatusRefusal(LeadStatusRefusalKind.Unprocessable, "disqualificationReason",
                "disqualificationReason is required to disqualify a lead.");
        }
        if (to == Status && (to != LeadStatuses.Disqualified || reason!.Trim() == DisqualificationReason))
        {
            return null;
        }
        if (to != Status && !NextStatuses(Status).Contains(to))
        {
            return new LeadStatusRefusal(LeadStatusRefusalKind.Conflict, "status", Status == LeadStatuses.Converted
                ? "The lead is converted; it changes no more."
                : $"A {Status} lead can move to {string.Join(" or ", NextStatuses(Status))}, not to {to}.");
        }
        Status = to;
        DisqualificationReason = to == LeadStatuses.Disqualified ? reason!.Trim() : null;
        _statusEvent = to switch
        {
            LeadStatuses.Qualified => () => new LeadQualified(Guid.CreateVersion7(), UpdatedAt, TenantId, Id, Version, actor, Snapshot()),
            LeadStatuses.Disqualified => () => new LeadDisqualified(Guid.CreateVersion7(), UpdatedAt, TenantId, Id, Version, actor, DisqualificationReason!, Snapshot()),
            _ => null,
        };
        return null;
    }

    public static IReadOnlyList<string> NextStatuses(string status) => status switch
    {
        LeadStatuses.New => [LeadStatuses.Working, LeadStatuses.Disqualified],
        LeadStatuses.Working => [LeadStatuses.Qualified, LeadStatuses.Disqualified],
        LeadStatuses.Qualified => [LeadStatuses.Working, LeadStatuses.Disqualified],
        LeadStatuses.Disqualified => [LeadStatuses.Working],
        _ => [],
    };

    /// <summary>The event of the last status change, once (call after the DbContext has stamped the new version).</summary>
    public IIntegrationEvent? TakeStatusEvent()
    {
        var integrationEvent = _statusEvent?.Invoke();
        _statusEvent = null;
        return integrationEvent;
    }

    /// <summary>GDPR erasure: who the lead was goes; where it came from, its company and its outcome stay for the statistics.</summary>
    public void ErasePersonalData()
    {
        FirstName = null;
        LastName = ErasedName;
        Email = null;
        Phone = null;
        JobTitle = null;
        Description = null;
    }

    public const string ErasedName = "[erased]";

    // Assignment and scoring (issue 11: src/Sales/Assignment, src/Sales/Scoring). Kept on the lead so lists filter and
    // sort by them; the assignment history is in lead_assignments.
    /// <summary>The assignment rule that gave the lead its current owner; null when a person chose the owner.</summary>
    public Guid? AssignedByRuleId { get; set; }
    /// <summary>Why the rule chose that owner, in words (criteria matched, target, method and the cursor or load).</summary>
    public string? AssignmentReason { get; set; }
    /// <summary>How well the lead fits (attributes), in points.</summary>
    public double? FitScore { get; set; }
    /// <summary>How engaged the lead is (activities, campaign events), in points, decayed to <see cref="ScoredAt"/>.</summary>
    public double? EngagementScore { get; set; }
    /// <summary>The lead score: the sum of <see cref="ScoreContributions"/>.</summary>
    public double? Score { get; set; }
    /// <summary><c>rules</c> (fit + engagement) or <c>model</c> (the tenant's trained model, <see cref="ScoreModelId"/>).</summary>
    public string? ScoreMethod { get; set; }
    public Guid? ScoreModelId { get; set; }
    /// <summary>The model's probability that the lead converts; null when scored by rules.</summary>
    public double? ConversionProbability { get; set; }
    public IReadOnlyList<Scoring.ScoreContribution> ScoreContributions { get; set; } = [];
    public DateTime? ScoredAt { get; set; }
}

public enum LeadStatusRefusalKind
{
    /// <summary>The request asks for something the API never does (422).</summary>
    Unprocessable,
    /// <summary>Not from the lead's present status (409).</summary>
    Conflict,
}

public sealed record LeadStatusRefusal(LeadStatusRefusalKind Kind, string Field, string Message);

public static class LeadStatuses
{
    public const string New = "new";
    public const string Working = "working";
    public const string Qualified = "qualified";
    public const string Disqualified = "disqualified";
    public const string Converted = "converted";

    public static readonly IReadOnlyList<string> All = [New, Working, Qualified, Disqualified, Converted];
}

public static class LeadSources
{
    public const string Api = "api";
    public const string Import = "import";
    public const string WebForm = "web-form";
    public const string Referral = "referral";
    public const string Event = "event";
    public const string Partner = "partner";
    public const string Other = "other";

    public static readonly IReadOnlyList<string> All = [Api, Import, WebForm, Referral, Event, Partner, Other];
}
