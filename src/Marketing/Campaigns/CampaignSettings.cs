namespace CrmPlatform.Marketing.Campaigns;

/// <summary>Settings <c>Marketing:Campaigns</c>.</summary>
public sealed class CampaignSettings
{
    public const string Section = "Marketing:Campaigns";

    /// <summary>The rate of a campaign that names none.</summary>
    public int DefaultMessagesPerSecond { get; set; } = 50;

    /// <summary>No campaign may ask for more.</summary>
    public int MaxMessagesPerSecond { get; set; } = 5000;

    /// <summary>The tenant's time zone (IANA) for schedules given as a local time without a zone.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>
    /// Where recipients reach the public routes (unsubscribe, pixel, clicks): the gateway's public address, e.g.
    /// <c>https://crm.example.com</c>.
    /// </summary>
    public string PublicBaseUrl { get; set; } = "http://localhost:5000";

    /// <summary>The HMAC key of unsubscribe and tracking links (base64, ≥ 32 bytes). Without one, a key of this process only.</summary>
    public string? TokenKey { get; set; }

    /// <summary>The right-hand side of campaign Message-IDs.</summary>
    public string MessageIdDomain { get; set; } = "campaigns.crm";

    /// <summary>How long a sender holds the recipients it claimed; a crashed sender's come back after this.</summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Recipients claimed (and decided by the consent gate) at a time.</summary>
    public int BatchSize { get; set; } = 200;

    /// <summary>How often the sender looks for due campaigns when nothing woke it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
