using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;

namespace CrmPlatform.ServiceDefaults;

/// <summary>The bytes a token's MAC covers, given its payload (the payload and what else the token is bound to).</summary>
public delegate byte[] SignedBytes(ReadOnlySpan<byte> payload);

/// <summary>
/// Tokens that carry their own data (ids, an expiry) and an HMAC-SHA256 over it, base64url: links in emails (CSAT
/// ratings, campaign unsubscribes, opens and clicks) whose ids cannot be guessed or changed without the key, with no
/// table of tokens to keep. A token is the payload followed by the first <c>macLength</c> bytes of the MAC. The MAC may
/// cover more than the payload (<see cref="SignedBytes"/>: a purpose, a URL), so a token cannot be used for another
/// purpose or pointed elsewhere. Unlike <see cref="OpaqueToken"/> nothing is stored; what a token is for stays with
/// the service (its payload, lifetime, single use).
/// </summary>
public sealed class SignedTokens(byte[] key, int payloadLength, int macLength)
{
    /// <summary>
    /// The configured key (base64, at least 32 bytes), or, when none is configured, a random one with a warning: links
    /// then work only until the process stops.
    /// </summary>
    /// <exception cref="InvalidOperationException">The configured key is shorter than 32 bytes.</exception>
    public static byte[] Key(string? configured, string setting, ILogger logger)
    {
        if (configured is not { Length: > 0 })
        {
            logger.LogWarning("No {Setting} configured: its links are signed with a key of this process only and stop working when it stops", setting);
            return RandomNumberGenerator.GetBytes(32);
        }
        var key = Convert.FromBase64String(configured);
        return key.Length >= 32 ? key : throw new InvalidOperationException($"{setting} must be at least 32 bytes (base64).");
    }

    /// <param name="signed">What the MAC covers; the payload itself when null.</param>
    public string Create(ReadOnlySpan<byte> payload, SignedBytes? signed = null) => WebEncoders.Base64UrlEncode(Sign(payload, signed));

    /// <summary>The payload of a token signed with this key (and the same <paramref name="signed"/>); null for anything else.</summary>
    public byte[]? Read(string? token, SignedBytes? signed = null)
    {
        byte[] bytes;
        try
        {
            bytes = WebEncoders.Base64UrlDecode(token ?? "");
        }
        catch (FormatException)
        {
            return null;
        }
        return Verify(bytes, signed);
    }

    /// <summary>
    /// The token as bytes, for a caller that needs another alphabet than base64url (an address's local part, which
    /// mail systems may fold to lower case, takes hex).
    /// </summary>
    public byte[] Sign(ReadOnlySpan<byte> payload, SignedBytes? signed = null)
    {
        if (payload.Length != payloadLength)
        {
            throw new ArgumentException($"A payload of {payloadLength} bytes is expected.", nameof(payload));
        }
        var token = new byte[payloadLength + macLength];
        payload.CopyTo(token);
        Mac(payload, signed).AsSpan(0, macLength).CopyTo(token.AsSpan(payloadLength));
        return token;
    }

    /// <summary>The payload of token bytes from <see cref="Sign"/> with this key; null for anything else.</summary>
    public byte[]? Verify(ReadOnlySpan<byte> token, SignedBytes? signed = null)
    {
        if (token.Length != payloadLength + macLength)
        {
            return null;
        }
        var payload = token[..payloadLength].ToArray();
        return CryptographicOperations.FixedTimeEquals(Mac(payload, signed).AsSpan(0, macLength), token[payloadLength..]) ? payload : null;
    }

    private byte[] Mac(ReadOnlySpan<byte> payload, SignedBytes? signed) => HMACSHA256.HashData(key, signed is null ? payload : signed(payload));
}
