using System.Buffers.Binary;
using CrmPlatform.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace CrmPlatform.Service.Csat;

/// <summary>
/// A rating link's token (<see cref="SignedTokens"/>, key <see cref="CsatSettings.SigningKey"/>): the survey id and the
/// link's expiry with their whole HMAC. The signature makes ids unguessable and the expiry untamperable without a
/// table of tokens; single use is the survey's (<see cref="CsatSurvey.Rating"/> is set once).
/// </summary>
public sealed class CsatToken(IOptions<CsatSettings> settings, ILogger<CsatToken> logger)
{
    private readonly SignedTokens _tokens = new(
        SignedTokens.Key(settings.Value.SigningKey, $"{CsatSettings.Section}:SigningKey", logger), payloadLength: 16 + 8, macLength: 32);

    public string Create(Guid surveyId, DateTime expiresAt)
    {
        Span<byte> payload = stackalloc byte[16 + 8];
        surveyId.TryWriteBytes(payload[..16]);
        BinaryPrimitives.WriteInt64BigEndian(payload[16..], new DateTimeOffset(expiresAt, TimeSpan.Zero).ToUnixTimeSeconds());
        return _tokens.Create(payload);
    }

    /// <summary>The survey and expiry of a token we signed; null for anything else (tampered, truncated, not ours).</summary>
    public (Guid SurveyId, DateTime ExpiresAt)? Read(string token) => _tokens.Read(token) is { } payload
        ? (new Guid(payload.AsSpan(0, 16)), DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(16))).UtcDateTime)
        : null;
}
