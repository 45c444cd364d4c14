using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace CrmPlatform.Identity.Tokens;

/// <summary>
/// Proof Key for Code Exchange (RFC 7636), S256 only: "plain" would hand the verifier to whoever sees the
/// authorization request, which is what PKCE exists to prevent.
/// </summary>
public static class Pkce
{
    public const string Method = "S256";

    /// <summary>43 to 128 unreserved characters (§4.1).</summary>
    public static bool IsValidVerifier(string? verifier) =>
        verifier is { Length: >= 43 and <= 128 } && verifier.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~');

    /// <summary>A base64url SHA-256: always 43 characters.</summary>
    public static bool IsValidChallenge(string? challenge) =>
        challenge is { Length: 43 } && challenge.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public static string ChallengeFor(string verifier) => WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    public static bool Matches(string? verifier, string challenge) =>
        IsValidVerifier(verifier)
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(ChallengeFor(verifier!)), Encoding.ASCII.GetBytes(challenge));
}
