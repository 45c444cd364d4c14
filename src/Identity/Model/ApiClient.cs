using CrmPlatform.ServiceDefaults;
using CrmPlatform.Persistence.Audit;
using System.Security.Cryptography;
using System.Text;
using CrmPlatform.Identity.Tokens;
using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Identity.Model;

/// <summary>
/// A partner system, script or front-end that gets tokens; it acts for one tenant. Confidential clients hold a secret
/// (client credentials, or a back-end doing the code flow); public clients (a browser app) cannot keep one and prove
/// themselves with PKCE instead.
/// </summary>
public sealed class ApiClient : AuditedEntity
{
    public const int ClientIdMaxLength = 100;
    public const int NameMaxLength = 200;
    public const int RedirectUriMaxLength = 2000;

    public string ClientId { get; set; } = "";
    public string Name { get; set; } = "";

    /// <summary>
    /// SHA-256 of the secret (empty for public clients). Client secrets are long random strings, so a fast hash is
    /// enough (unlike passwords) and keeps the token endpoint cheap; the secret itself is shown once, when the client is
    /// created.
    /// </summary>
    [AuditRedacted]
    public string SecretHash { get; private set; } = "";

    public bool IsPublic { get; set; }

    /// <summary>Where the authorization endpoint may send codes; compared exactly, as OAuth 2.1 requires.</summary>
    public List<string> RedirectUris { get; set; } = [];

    public List<string> GrantTypes { get; set; } = [Model.GrantTypes.ClientCredentials];

    /// <summary>The roles of the client's own tokens (client credentials); users' tokens carry the user's roles.</summary>
    public List<string> Roles { get; set; } = [];

    /// <summary>Permission scopes (<c>people:read</c>, <c>opportunities:*</c>); when given, they alone decide what the client may do.</summary>
    public List<string> Scopes { get; set; } = [];

    public static bool IsValidScope(string scope) =>
        scope.Split(':') is [var resource, var operation]
        && resource.Length is > 0 and <= 50 && resource.All(c => char.IsAsciiLetterLower(c) || c == '-')
        && operation is "read" or "create" or "update" or "delete" or "*";

    public bool Disabled { get; set; }

    public bool Allows(string grantType) => !Disabled && GrantTypes.Contains(grantType);

    public void SetSecret(string secret) => SecretHash = OpaqueToken.Hash(secret);

    public bool HasSecret(string secret) =>
        SecretHash.Length > 0
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(OpaqueToken.Hash(secret)), Encoding.ASCII.GetBytes(SecretHash));

    public static string NewSecret() => OpaqueToken.New();
}
