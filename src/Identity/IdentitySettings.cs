namespace CrmPlatform.Identity;

public sealed class IdentitySettings
{
    public const string Section = "Identity";

    /// <summary>The <c>iss</c> of every token: the public address clients reach Identity at (through the gateway).</summary>
    public string Issuer { get; set; } = "http://localhost:8080";

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long one signing key signs before a new one takes over.</summary>
    public TimeSpan KeyRotation { get; set; } = TimeSpan.FromDays(30);

    public BootstrapClient Bootstrap { get; set; } = new();

    /// <summary>The admin API client created at start so scripts can get a first token (client credentials).</summary>
    public sealed class BootstrapClient
    {
        public string? ClientId { get; set; }
        public string? ClientSecret { get; set; }
    }
}
