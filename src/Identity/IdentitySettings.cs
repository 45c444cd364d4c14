namespace CrmPlatform.Identity;

public sealed class IdentitySettings
{
    public const string Section = "Identity";

    /// <summary>The <c>iss</c> of every token: the public address clients reach Identity at (through the gateway).</summary>
    public string Issuer { get; set; } = "http://localhost:8080";

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long an unused refresh token stays valid; each use replaces it with a fresh one.</summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>How long one signing key signs before a new one takes over.</summary>
    public TimeSpan KeyRotation { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How long a new key is published before it signs: longer than the services' refresh of the key set
    /// (<c>AuthenticationExtensions</c> refreshes hourly), so no service meets a token signed with a key it has not seen.
    /// </summary>
    public TimeSpan KeyActivationDelay { get; set; } = TimeSpan.FromHours(2);

    public LoginLimits Login { get; set; } = new();

    public BootstrapClient Bootstrap { get; set; } = new();

    /// <summary>
    /// Login attempts per client IP address. Lockout protects one account; this limit slows an attacker who tries one
    /// password against many accounts, which lockout never sees.
    /// </summary>
    public sealed class LoginLimits
    {
        public int AttemptsPerWindow { get; set; } = 20;
        public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
    }

    /// <summary>The admin API client created at start so scripts can get a first token (client credentials).</summary>
    public sealed class BootstrapClient
    {
        public string? ClientId { get; set; }
        public string? ClientSecret { get; set; }
    }
}
