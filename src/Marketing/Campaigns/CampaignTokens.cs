using System.Text;
using CrmPlatform.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace CrmPlatform.Marketing.Campaigns;

/// <summary>
/// The tokens of a campaign email's links (<see cref="SignedTokens"/>, key <see cref="CampaignSettings.TokenKey"/>):
/// the campaign and recipient ids, and 16 bytes of an HMAC over a purpose byte, the ids and, for a click, the target
/// URL. A link cannot be pointed at another recipient or another site without the key (no open redirect), and no table
/// of tokens is needed.
/// </summary>
public sealed class CampaignTokens(IOptions<CampaignSettings> settings, ILogger<CampaignTokens> logger)
{
    private readonly SignedTokens _tokens = new(
        SignedTokens.Key(settings.Value.TokenKey, $"{CampaignSettings.Section}:TokenKey", logger), payloadLength: 32, macLength: 16);

    public const string Unsubscribe = "u";
    public const string Open = "o";
    public const string Click = "c";

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

    private static SignedBytes Signed(string purpose, string? url) => ids => [(byte)purpose[0], .. ids, .. Encoding.UTF8.GetBytes(url ?? "")];
}
