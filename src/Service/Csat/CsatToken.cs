using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace CrmPlatform.Service.Csat;

/// <summary>
/// A rating link's token: the survey id and the link's expiry, signed with HMAC-SHA256 (<see cref="CsatSettings.SigningKey"/>).
/// The signature makes ids unguessable and the expiry untamperable without a table of tokens; single use is the survey's
/// (<see cref="CsatSurvey.Rating"/> is set once).
/// </summary>
public sealed class CsatToken
{
    private const int PayloadLength = 16 + 8;
    private const int SignatureLength = 32;
    private readonly byte[] _key;

    public CsatToken(IOptions<CsatSettings> settings, ILogger<CsatToken> logger)
    {
        if (settings.Value.SigningKey is { Length: > 0 } configured)
        {
            _key = Convert.FromBase64String(configured);
            if (_key.Length < 32)
            {
                throw new InvalidOperationException($"{CsatSettings.Section}:SigningKey must be at least 32 bytes (base64).");
            }
        }
        else
        {
            _key = RandomNumberGenerator.GetBytes(32);
            logger.LogWarning("No {Section}:SigningKey configured: CSAT links are signed with a key of this process only", CsatSettings.Section);
        }
    }

    public string Create(Guid surveyId, DateTime expiresAt)
    {
        var token = new byte[PayloadLength + SignatureLength];
        surveyId.TryWriteBytes(token.AsSpan(0, 16));
        BinaryPrimitives.WriteInt64BigEndian(token.AsSpan(16, 8), new DateTimeOffset(expiresAt, TimeSpan.Zero).ToUnixTimeSeconds());
        HMACSHA256.HashData(_key, token.AsSpan(0, PayloadLength), token.AsSpan(PayloadLength));
        return WebEncoders.Base64UrlEncode(token);
    }

    /// <summary>The survey and expiry of a token we signed; null for anything else (tampered, truncated, not ours).</summary>
    public (Guid SurveyId, DateTime ExpiresAt)? Read(string token)
    {
        byte[] bytes;
        try
        {
            bytes = WebEncoders.Base64UrlDecode(token);
        }
        catch (FormatException)
        {
            return null;
        }
        if (bytes.Length != PayloadLength + SignatureLength)
        {
            return null;
        }
        Span<byte> expected = stackalloc byte[SignatureLength];
        HMACSHA256.HashData(_key, bytes.AsSpan(0, PayloadLength), expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, bytes.AsSpan(PayloadLength)))
        {
            return null;
        }
        return (new Guid(bytes.AsSpan(0, 16)), DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(16, 8))).UtcDateTime);
    }
}
