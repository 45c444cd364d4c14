using System.Security.Cryptography;
using System.Text;

namespace CrmPlatform.Integrations.Delivery;

/// <summary>
/// Standard Webhooks signing (https://www.standardwebhooks.com): <c>v1,</c> + base64(HMAC-SHA256(secret bytes,
/// "{webhook-id}.{webhook-timestamp}.{body}")), one per secret, space-separated, so a receiver holding either secret
/// of a rotation verifies.
/// </summary>
public static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";

    /// <summary>A new secret: <c>whsec_</c> + base64 of 32 random bytes.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static string Sign(IReadOnlyList<string> secrets, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return string.Join(' ', secrets.Select(secret =>
            "v1," + Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(secret[SecretPrefix.Length..]), content))));
    }
}
