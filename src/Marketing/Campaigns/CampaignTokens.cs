using System.Text;
using CrmPlatform.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace CrmPlatform.Marketing.Campaigns;

/// <summary>
/// The tokens of a campaign email's links (<see cref="SignedTokens"/>, key <see cref="CampaignSettings.TokenKey"/>):
/// the campaign and recipient ids, and 16 bytes of an HMAC over a purpose byte, the ids and, for a click, the target
/// URL. A link cannot be pointed at another recipient or another site without the key (no open redirect), and no table
/// of tokens is needed.
/// <para>
/// The bounce token in the envelope sender (<c>bounces+token@bounce domain</c>) is shorter, because a local part has
/// at most 64 characters (RFC 5321 4.5.3.1.1): the recipient id (which names its campaign) and 10 bytes of the MAC, in
/// lower-case hex, since mail systems may fold the case of the address they return a DSN to. 80 bits are ample
/// against guessing: a wrong token costs a forger a whole SMTP transaction and tells them nothing.
/// </para>
/// </summary>
public sealed class CampaignTokens
{
    private readonly SignedTokens _tokens;
    private readonly SignedTokens _bounceTokens;

    public CampaignTokens(IOptions<CampaignSettings> settings, ILogger<CampaignTokens> logger)
    {
        var key = SignedTokens.Key(settings.Value.TokenKey, $"{CampaignSettings.Section}:TokenKey", logger);
        _tokens = new SignedTokens(key, payloadLength: 32, macLength: 16);
        _bounceTokens = new SignedTokens(key, payloadLength: 16, macLength: 10);
    }

    public const string Unsubscribe = "u";
    public const string Open = "o";
    public const string Click = "c";
    private const string Bounce = "b";

    /// <summary>The length of a bounce token (hex).</summary>
    public const int BounceTokenLength = (16 + 10) * 2;

    public string Create(string purpose, Guid campaignId, Guid recipientId, string? url = null)
    {
        Span<byte> ids = stackalloc byte[32];
        campaignId.TryWriteBytes(ids[..16]);
        recipientId.TryWriteBytes(ids[16..]);
        return _tokens.Create(ids, Signed(purpose, url));
    }

    /// <summary>The campaign and recipient of a token we signed for this purpose (and URL); null for anything else.</summary>
    public (Guid CampaignId, Guid RecipientId)? Read(string purpose, string? token, string? url = null) =>
        _tokens.Read(token, Signed(purpose, url)) is { } ids ? (new Guid(ids.AsSpan(0, 16)), new Guid(ids.AsSpan(16, 16))) : null;

    public string CreateBounce(Guid recipientId) => Convert.ToHexStringLower(_bounceTokens.Sign(recipientId.ToByteArray(), Signed(Bounce, null)));

    /// <summary>The recipient of a bounce token we signed (in either case); null for anything else.</summary>
    public Guid? ReadBounce(string? token)
    {
        if (token is not { Length: BounceTokenLength } || !token.All(char.IsAsciiHexDigit))
        {
            return null;
        }
        return _bounceTokens.Verify(Convert.FromHexString(token), Signed(Bounce, null)) is { } id ? new Guid(id) : null;
    }

    private static SignedBytes Signed(string purpose, string? url) => ids => [(byte)purpose[0], .. ids, .. Encoding.UTF8.GetBytes(url ?? "")];
}
