namespace CrmPlatform.Marketing.Campaigns;

/// <summary>Settings <c>Marketing:Campaigns</c>.</summary>
public sealed class CampaignSettings
{
    public const string Section = "Marketing:Campaigns";

    /// <summary>The rate of a campaign that names none.</summary>
    public int DefaultMessagesPerSecond { get; set; } = 50;

    /// <summary>No campaign may ask for more.</summary>
    public int MaxMessagesPerSecond { get; set; } = 5000;

    /// <summary>
    /// The tenants' time zone (IANA) for schedules given as a local time without a zone, and for recipients whose zone is
    /// unknown. The platform keeps no time zone per tenant anywhere else, so it is a Marketing setting: this default
    /// (UTC) and <see cref="TenantTimeZones"/> per tenant.
    /// </summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>A tenant's own time zone (IANA) by tenant id, over <see cref="TimeZone"/>.</summary>
    public Dictionary<string, string> TenantTimeZones { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How many times a recipient the SMTP server refuses with a 4xx (a soft bounce) is tried in all.</summary>
    public int SoftBounceAttempts { get; set; } = 3;

    /// <summary>How long a soft-bounced recipient waits before the next try.</summary>
    public TimeSpan SoftBounceRetryDelay { get; set; } = TimeSpan.FromMinutes(15);

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

    /// <summary>
    /// SMTP connections a sender sends a campaign on at once (each with one message at a time). One message is a chain
    /// of waits (render, the server's replies, the mark's commit), so one connection leaves the cores idle; more send
    /// faster, and each may leave one second copy at a crash (see <see cref="CampaignSender"/>). 1 keeps that to one.
    /// </summary>
    public int Connections { get; set; } = 4;

    /// <summary>Recipients claimed (and decided by the consent gate) at a time.</summary>
    public int BatchSize { get; set; } = 200;

    /// <summary>How often the sender looks for due campaigns when nothing woke it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The tenant's zone: its own, else the default, else UTC (a zone that does not resolve is not used).</summary>
    public TimeZoneInfo TimeZoneOf(Guid tenantId) =>
        LocalTimes.Find(TenantTimeZones.GetValueOrDefault(tenantId.ToString())) ?? LocalTimes.Find(TimeZone) ?? TimeZoneInfo.Utc;
}
