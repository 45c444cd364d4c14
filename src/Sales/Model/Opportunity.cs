using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Sales.Model;

public sealed class Opportunity : AuditedEntity
{
    public const int NameMaxLength = 200;

    public string Name { get; set; } = "";
    public decimal Amount { get; set; }
    public string Currency { get; set; } = "";
    /// <summary>A person or organization from the contact directory.</summary>
    public Guid CustomerId { get; set; }
    public string Stage { get; set; } = OpportunityStages.Default;
    public DateOnly? ExpectedCloseDate { get; set; }
}

/// <summary>The stages of the one built-in pipeline, in order; configurable pipelines replace this list later.</summary>
public static class OpportunityStages
{
    public const string Default = "prospecting";

    public static readonly IReadOnlyList<string> All =
        ["prospecting", "qualification", "proposal", "negotiation", "closed-won", "closed-lost"];
}
