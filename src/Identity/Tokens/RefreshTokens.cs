using CrmPlatform.ServiceDefaults;
using CrmPlatform.Identity.Data;
using CrmPlatform.Identity.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrmPlatform.Identity.Tokens;

/// <summary>
/// Refresh tokens with rotation: every use replaces the token, and a replaced token presented again revokes its whole
/// family, so a stolen token works at most until its rightful owner (or the thief) uses it next. Token requests carry
/// no tenant, so lookups go by the token's hash across tenants.
/// </summary>
public sealed class RefreshTokens(IdentityDbContext db, IOptions<IdentitySettings> settings, TimeProvider clock)
{
    public async Task<string> IssueAsync(Guid familyId, User user, string clientId, string? scope, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        // Expired rows can no longer be presented; dropping them here (indexed) keeps the table small without a job.
        await db.RefreshTokens.IgnoreQueryFilters().Where(t => t.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken);

        var value = OpaqueToken.New();
        db.RefreshTokens.Add(new RefreshToken
        {
            TokenHash = OpaqueToken.Hash(value),
            FamilyId = familyId,
            TenantId = user.TenantId,
            UserId = user.Id,
            ClientId = clientId,
            Scope = scope,
            CreatedAt = now,
            ExpiresAt = now + settings.Value.RefreshTokenLifetime,
        });
        await db.SaveChangesAsync(cancellationToken);
        return value;
    }

    /// <summary>
    /// Marks the token used and returns it, so the caller can issue its successor in the same family; null when the
    /// token is unknown, someone else's, expired or revoked, or was already used (which revokes the family).
    /// </summary>
    public async Task<RefreshToken?> RedeemAsync(string value, ApiClient client, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var token = await FindAsync(value, cancellationToken);
        if (token is null || token.ClientId != client.ClientId || token.RevokedAt is not null || token.ExpiresAt <= now)
        {
            return null;
        }

        // The conditional update lets exactly one of two racing requests with the same token through.
        var claimed = token.ReplacedAt is null && await db.RefreshTokens.IgnoreQueryFilters()
            .Where(t => t.Id == token.Id && t.ReplacedAt == null && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.ReplacedAt, now), cancellationToken) == 1;
        if (!claimed)
        {
            await RevokeFamilyAsync(token.FamilyId, cancellationToken);
            return null;
        }
        return token;
    }

    /// <summary>Revokes the token's family (RFC 7009 §2.1: the whole grant); unknown or other clients' tokens are ignored.</summary>
    public async Task RevokeAsync(string value, ApiClient client, CancellationToken cancellationToken)
    {
        if (await FindAsync(value, cancellationToken) is { } token && token.ClientId == client.ClientId)
        {
            await RevokeFamilyAsync(token.FamilyId, cancellationToken);
        }
    }

    public Task RevokeFamilyAsync(Guid familyId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return db.RefreshTokens.IgnoreQueryFilters()
            .Where(t => t.FamilyId == familyId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), cancellationToken);
    }

    private Task<RefreshToken?> FindAsync(string value, CancellationToken cancellationToken)
    {
        var hash = OpaqueToken.Hash(value);
        return db.RefreshTokens.IgnoreQueryFilters().AsNoTracking().SingleOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
    }
}
