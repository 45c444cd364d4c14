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

    public async Task<string> IssueAsync(ApiClient client, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = settings.Value.Issuer,
            Audience = authentication.Value.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + Lifetime,
            SigningCredentials = await keys.SigningCredentialsAsync(cancellationToken),
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = client.ClientId,
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
                ["client_id"] = client.ClientId,
                [authentication.Value.TenantClaim] = client.TenantId.ToString(),
                [authentication.Value.RoleClaim] = client.Roles.ToArray(),
            },
        });
    }
}
