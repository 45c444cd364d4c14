namespace CrmPlatform.Service.Csat;

/// <summary>CSAT (section <c>Service:Csat</c>).</summary>
public sealed class CsatSettings
{
    public const string Section = "Service:Csat";

    /// <summary>The public address of the rating page; links add <c>/{token}?rating=good|bad</c>. The gateway's route by default.</summary>
    public string RatingUrl { get; set; } = "http://localhost:8080/api/v1/help-centre/csat";

    /// <summary>
    /// The HMAC key signing rating links (base64, at least 32 bytes), the same on every instance. Without one, each
    /// process makes its own: fine for one development instance, but links then die with the process.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>How long a rating link works.</summary>
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromDays(14);
}
