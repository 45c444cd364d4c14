namespace CrmPlatform.Integrations.Delivery;

/// <summary>
/// <c>Integrations:Webhooks</c>. The default retry schedule: after the n-th failed attempt the next waits
/// min(<see cref="BaseDelay"/> × 2^(n−1), <see cref="MaxDelay"/>) plus up to 25 % jitter — 5 s, 10 s, 20 s … 5.7 h, then
/// 6 h — so <see cref="MaxAttempts"/> = 17 attempts span at least 29 hours before the delivery is dead. Tests use seconds.
/// </summary>
public sealed class WebhookSettings
{
    public const string Section = "Integrations:Webhooks";

    /// <summary>Development only: http targets and loopback/private addresses (tests, the AppHost's local receivers).</summary>
    public bool AllowPrivateTargets { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
    public int MaxAttempts { get; set; } = 17;
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(5);
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromHours(6);

    /// <summary>A subscription whose every attempt has failed for this long is disabled and its tenant's admins emailed.</summary>
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(5);

    /// <summary>How long the previous secret still signs after a rotation.</summary>
    public TimeSpan SecretOverlap { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Deliveries one claim takes, how many requests are in flight at once per worker, and the workers: a worker mostly
    /// waits on its batch's round trips, so four kept the two cores busier than two (docs/benchmarks.md, WebhookBench).
    /// </summary>
    public int BatchSize { get; set; } = 200;
    public int Concurrency { get; set; } = 100;
    public int Workers { get; set; } = 4;
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The delay before attempt <paramref name="failedAttempts"/> + 1.</summary>
    public TimeSpan RetryDelay(int failedAttempts, double random)
    {
        var exponent = Math.Min(failedAttempts - 1, 30);
        var nominal = Math.Min(BaseDelay.TotalMilliseconds * Math.Pow(2, exponent), MaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(nominal * (1 + 0.25 * random));
    }
}
