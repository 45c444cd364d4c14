using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Identity.Model;

/// <summary>
/// A one-time code from the authorization endpoint, bound to everything the token request must repeat or prove:
/// the client, the redirect URI and the PKCE challenge. Only its hash is stored.
/// </summary>
public sealed class AuthorizationCode : ITenantOwned
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);

    /// <summary>Also the id of the refresh-token family the code starts, so a replayed code can revoke that family.</summary>
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public string CodeHash { get; init; } = "";
    public Guid TenantId { get; set; }
    public Guid UserId { get; init; }
    public string ClientId { get; init; } = "";
    public string RedirectUri { get; init; } = "";
    public string CodeChallenge { get; init; } = "";
    public string? Scope { get; init; }
    public DateTime ExpiresAt { get; init; }
    public DateTime? RedeemedAt { get; set; }
}
