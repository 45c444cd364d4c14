using CrmPlatform.ServiceDefaults;
using CrmPlatform.Identity.Data;
using CrmPlatform.Identity.Model;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Identity.Tokens;

/// <summary>Single-use authorization codes (RFC 6749 §4.1.2), looked up by hash across tenants like refresh tokens.</summary>
public sealed class AuthorizationCodes(IdentityDbContext db, RefreshTokens refreshTokens, TimeProvider clock)
{
    /// <summary>Redeemed codes are kept this long after expiry, so a replay is still recognised and punished.</summary>
    private static readonly TimeSpan KeepExpired = TimeSpan.FromHours(1);

    public async Task<string> IssueAsync(
        User user, ApiClient client, string redirectUri, string codeChallenge, string? scope, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await db.AuthorizationCodes.IgnoreQueryFilters().Where(c => c.ExpiresAt < now - KeepExpired).ExecuteDeleteAsync(cancellationToken);

        var code = OpaqueToken.New();
        db.AuthorizationCodes.Add(new AuthorizationCode
        {
            CodeHash = OpaqueToken.Hash(code),
            TenantId = user.TenantId,
            UserId = user.Id,
            ClientId = client.ClientId,
            RedirectUri = redirectUri,
            CodeChallenge = codeChallenge,
            Scope = scope,
            ExpiresAt = now + AuthorizationCode.Lifetime,
        });
        await db.SaveChangesAsync(cancellationToken);
        return code;
    }

    /// <summary>
    /// The code, once, when the request repeats its client and redirect URI and proves its PKCE verifier; null
    /// otherwise. A code presented again after it was redeemed revokes the tokens it gave (RFC 6749 §4.1.2).
    /// </summary>
    public async Task<AuthorizationCode?> RedeemAsync(
        string code, ApiClient client, string? redirectUri, string? codeVerifier, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var hash = OpaqueToken.Hash(code);
        var issued = await db.AuthorizationCodes.IgnoreQueryFilters().AsNoTracking().SingleOrDefaultAsync(c => c.CodeHash == hash, cancellationToken);
        if (issued is null || issued.ClientId != client.ClientId)
        {
            return null;
        }
        if (issued.RedeemedAt is not null)
        {
            await refreshTokens.RevokeFamilyAsync(issued.Id, cancellationToken);
            return null;
        }
        // Checked before the code is spent, so a request with a wrong verifier cannot burn the rightful client's code.
        if (issued.ExpiresAt <= now || issued.RedirectUri != redirectUri || !Pkce.Matches(codeVerifier, issued.CodeChallenge))
        {
            return null;
        }

        var claimed = await db.AuthorizationCodes.IgnoreQueryFilters()
            .Where(c => c.Id == issued.Id && c.RedeemedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.RedeemedAt, now), cancellationToken);
        return claimed == 1 ? issued : null;
    }
}
