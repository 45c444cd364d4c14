using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Contacts.Gdpr;

/// <summary>
/// A tenant's rule for keeping personal data: people without activity for <see cref="AnonymizeInactiveAfterMonths"/>
/// months are erased (anonymized everywhere, through the erasure path). Null turns it off. One per tenant.
/// </summary>
public sealed class RetentionPolicy : UnownedAuditedEntity
{
    public const int MaxMonths = 1200;

    public int? AnonymizeInactiveAfterMonths { get; set; }
}

/// <summary>One run of a tenant's retention policy and whom it anonymized.</summary>
public sealed class RetentionRun : ITenantOwned, IKeysetOrdered
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    /// <summary>When the run happened.</summary>
    public DateTime CreatedAt { get; init; }
    /// <summary><c>schedule</c> or the user or API client that asked for it.</summary>
    public string TriggeredBy { get; init; } = "";
    public int InactiveAfterMonths { get; init; }
    /// <summary>People whose last activity is before this were anonymized.</summary>
    public DateTime Cutoff { get; init; }
    public int AnonymizedCount { get; init; }
    /// <summary>JSON array: personId, lastActivityAt, requestId (the erasure request made for them).</summary>
    public string Anonymized { get; init; } = "[]";
}
