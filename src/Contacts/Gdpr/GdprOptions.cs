using CrmPlatform.Contracts.Gdpr.V1;

namespace CrmPlatform.Contacts.Gdpr;

/// <summary>The <c>Gdpr</c> configuration section.</summary>
public sealed class GdprOptions
{
    public const string Section = "Gdpr";

    /// <summary>The services that must answer access and erasure requests.</summary>
    public string[] ExpectedServices { get; set; } = [.. GdprServiceNames.All];

    /// <summary>After this, a request still waiting for answers shows as overdue (the GDPR's month, by default a day).</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often tenants' retention policies run.</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromHours(24);

    /// <summary>At most this many people are anonymized per tenant and run; the next run continues.</summary>
    public int RetentionBatchSize { get; set; } = 500;
}
