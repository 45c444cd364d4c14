using CrmPlatform.Identity.Model;
using CrmPlatform.ServiceDefaults;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CrmPlatform.Identity.Tokens;

/// <summary>Signed JWT access tokens for the CRM API.</summary>
public sealed class TokenIssuer(SigningKeyStore keys, IOptions<IdentitySettings> settings, IOptions<AuthenticationSettings> authentication, TimeProvider clock)
{
    private readonly JsonWebTokenHandler _handler = new();

    public TimeSpan Lifetime => settings.Value.AccessTokenLifetime;

    /// <summary>A token for the client itself (client credentials): its tenant and its roles.</summary>
    public Task<string> IssueAsync(ApiClient client, CancellationToken cancellationToken) =>
        IssueAsync(client.ClientId, client.ClientId, client.TenantId, client.Roles,
            client.Scopes.Count > 0 ? string.Join(' ', client.Scopes) : null, new Dictionary<string, object>(), cancellationToken);

    /// <summary>A token for a signed-in user, obtained through <paramref name="client"/> (RFC 9068's profile).</summary>
    public Task<string> IssueAsync(User user, ApiClient client, string? scope, CancellationToken cancellationToken) =>
        IssueAsync(user.Id.ToString(), client.ClientId, user.TenantId, user.Roles, scope, new Dictionary<string, object>
        {
            ["name"] = user.DisplayName,
            ["email"] = user.Email,
        }, cancellationToken);

    private async Task<string> IssueAsync(
        string subject, string clientId, Guid tenantId, IEnumerable<string> roles, string? scope, Dictionary<string, object> claims,
        CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        claims[JwtRegisteredClaimNames.Sub] = subject;
        claims[JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N");
        claims["client_id"] = clientId;
        claims[authentication.Value.TenantClaim] = tenantId.ToString();
        claims[authentication.Value.RoleClaim] = roles.ToArray();
        if (!string.IsNullOrEmpty(scope))
        {
            claims["scope"] = scope;
        }
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = settings.Value.Issuer,
            Audience = authentication.Value.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + Lifetime,
            SigningCredentials = await keys.SigningCredentialsAsync(cancellationToken),
            Claims = claims,
        });
    }
}
