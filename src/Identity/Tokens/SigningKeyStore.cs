using System.Security.Cryptography;
using CrmPlatform.Identity.Data;
using CrmPlatform.Identity.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace CrmPlatform.Identity.Tokens;

/// <summary>
/// The signing keys, kept in Identity's database so every instance signs with the same key and a restart keeps them.
/// A new key is published <see cref="IdentitySettings.KeyActivationDelay"/> before it starts signing, so every service
/// has picked it up in its periodic refresh of the key set before the first token signed with it arrives; keys stay
/// published until the last token they signed has expired, then are deleted.
/// </summary>
public sealed class SigningKeyStore(IServiceScopeFactory scopes, IOptions<IdentitySettings> settings, TimeProvider clock)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (DateTime LoadedAt, IReadOnlyList<(ECDsaSecurityKey Key, DateTime CreatedAt)> Keys)? _cache;

    /// <summary>Every published key, newest first (including one not signing yet).</summary>
    public async Task<IReadOnlyList<ECDsaSecurityKey>> KeysAsync(CancellationToken cancellationToken = default) =>
        [.. (await LoadAsync(cancellationToken)).Select(k => k.Key)];

    private async Task<IReadOnlyList<(ECDsaSecurityKey Key, DateTime CreatedAt)>> LoadAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (_cache is { } cache && now - cache.LoadedAt < CacheFor)
        {
            return cache.Keys;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
            var rows = await db.SigningKeys.AsNoTracking().OrderByDescending(k => k.CreatedAt).ToListAsync(cancellationToken);
            var keys = rows.Select(row => (ToSecurityKey(row), row.CreatedAt)).ToList();
            _cache = (now, keys);
            return keys;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The newest key published long enough ago; the very first key signs at once, there is nothing to replace.</summary>
    public async Task<SigningCredentials> SigningCredentialsAsync(CancellationToken cancellationToken = default)
    {
        var keys = await LoadAsync(cancellationToken);
        var activeSince = clock.GetUtcNow().UtcDateTime - settings.Value.KeyActivationDelay;
        var (key, _) = keys.Count > 0
            ? keys.FirstOrDefault(k => k.CreatedAt <= activeSince, keys[^1])
            : throw new InvalidOperationException("No signing key yet; the rotation creates one at start.");
        return new SigningCredentials(key, SecurityAlgorithms.EcdsaSha256);
    }

    /// <summary>Creates a key when there is none or the newest is due for rotation; deletes keys no token can still need.</summary>
    public async Task RotateIfDueAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var rotation = settings.Value.KeyRotation;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();

        // The next key is made early enough to be published for the whole activation delay before it takes over.
        var newest = await db.SigningKeys.MaxAsync(k => (DateTime?)k.CreatedAt, cancellationToken);
        if (newest is null || now - newest >= rotation - settings.Value.KeyActivationDelay)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            db.SigningKeys.Add(new SigningKey
            {
                KeyId = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(12)),
                PrivateKeyPem = key.ExportPkcs8PrivateKeyPem(),
                CreatedAt = now,
            });
        }

        // A key stops signing one rotation after it was made; its last tokens expire a token lifetime later.
        var unused = now - rotation - rotation - settings.Value.AccessTokenLifetime - TimeSpan.FromMinutes(5);
        await db.SigningKeys.Where(k => k.CreatedAt < unused).ExecuteDeleteAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        _cache = null;
    }

    private static ECDsaSecurityKey ToSecurityKey(SigningKey row)
    {
        var key = ECDsa.Create();
        key.ImportFromPem(row.PrivateKeyPem);
        return new ECDsaSecurityKey(key) { KeyId = row.KeyId };
    }
}
