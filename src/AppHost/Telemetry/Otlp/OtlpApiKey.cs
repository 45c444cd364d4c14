using System.Security.Cryptography;
using System.Text;

namespace CrmPlatform.AppHost.Telemetry.Otlp;

/// <summary>
/// <see cref="AppHostOptions.OtlpApiKey"/>, checked by both receivers. When none is configured every request is
/// accepted (the receivers listen on this machine only by default).
/// </summary>
public sealed class OtlpApiKey(string? key)
{
    public const string HeaderName = "x-otlp-api-key";

    // Hashes have one length, so comparing them in constant time does not leak the key's length either.
    private readonly byte[]? _hash = string.IsNullOrEmpty(key) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public bool IsRequired => _hash is not null;

    public bool Accepts(string? candidate) =>
        _hash is null || (candidate is not null && CryptographicOperations.FixedTimeEquals(_hash, SHA256.HashData(Encoding.UTF8.GetBytes(candidate))));
}
