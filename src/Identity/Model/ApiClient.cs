using System.Security.Cryptography;
using System.Text;
using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Identity.Model;

/// <summary>A partner system or script that gets tokens with the client-credentials grant; it acts for one tenant.</summary>
public sealed class ApiClient : Entity
{
    public const int ClientIdMaxLength = 100;

    public string ClientId { get; set; } = "";
    public string Name { get; set; } = "";

    /// <summary>
    /// SHA-256 of the secret. Client secrets are long random strings, so a fast hash is enough (unlike passwords) and
    /// keeps the token endpoint cheap; the secret itself is shown once, when the client is created.
    /// </summary>
    public string SecretHash { get; private set; } = "";

    public List<string> Roles { get; set; } = [];
    public bool Disabled { get; set; }

    public void SetSecret(string secret) => SecretHash = Hash(secret);

    public bool HasSecret(string secret) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(secret)), Encoding.ASCII.GetBytes(SecretHash));

    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Hash(string secret) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
