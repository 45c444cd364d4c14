using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace CrmPlatform.Marketing.Campaigns;

/// <summary>
/// The tokens of a campaign email's links, HMAC-SHA256 signed (<see cref="CampaignSettings.TokenKey"/>) over the
/// campaign, the recipient, what the link does and, for a click, the target URL: a link cannot be pointed at another
/// recipient or another site without the key (no open redirect), and no table of tokens is needed. A token is the
/// campaign and recipient ids followed by the first 16 bytes of the MAC.
/// </summary>
public sealed class CampaignTokens
{
    private const int IdsLength = 32;
    private const int MacLength = 16;
    private readonly byte[] _key;

    public CampaignTokens(IOptions<CampaignSettings> settings, ILogger<CampaignTokens> logger)
    {
        if (settings.Value.TokenKey is { Length: > 0 } configured)
        {
            _key = Convert.FromBase64String(configured);
            if (_key.Length < 32)
            {
                throw new InvalidOperationException($"{CampaignSettings.Section}:TokenKey must be at least 32 bytes (base64).");
            }
        }
        else
        {
            _key = RandomNumberGenerator.GetBytes(32);
            logger.LogWarning("No {Section}:TokenKey configured: campaign links work only until this process stops", CampaignSettings.Section);
        }
    }

    public const string Unsubscribe = "u";
    public const string Open = "o";
    public const string Click = "c";

    public string Create(string purpose, Guid campaignId, Guid recipientId, string? url = null)
    {
        var token = new byte[IdsLength + MacLength];
        campaignId.TryWriteBytes(token.AsSpan(0, 16));
        recipientId.TryWriteBytes(token.AsSpan(16, 16));
        Mac(purpose, token.AsSpan(0, IdsLength), url).AsSpan(0, MacLength).CopyTo(token.AsSpan(IdsLength));
        return WebEncoders.Base64UrlEncode(token);
    }

    /// <summary>The campaign and recipient of a token we signed for this purpose (and URL); null for anything else.</summary>
    public (Guid CampaignId, Guid RecipientId)? Read(string purpose, string? token, string? url = null)
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
        if (bytes.Length != IdsLength + MacLength)
        {
            return null;
        }
        var expected = Mac(purpose, bytes.AsSpan(0, IdsLength), url);
        if (!CryptographicOperations.FixedTimeEquals(expected.AsSpan(0, MacLength), bytes.AsSpan(IdsLength)))
        {
            return null;
        }
        return (new Guid(bytes.AsSpan(0, 16)), new Guid(bytes.AsSpan(16, 16)));
    }

    private byte[] Mac(string purpose, ReadOnlySpan<byte> ids, string? url)
    {
        var input = new byte[1 + ids.Length + Encoding.UTF8.GetByteCount(url ?? "")];
        input[0] = (byte)purpose[0];
        ids.CopyTo(input.AsSpan(1));
        Encoding.UTF8.GetBytes(url ?? "", input.AsSpan(1 + ids.Length));
        return HMACSHA256.HashData(_key, input);
    }
}
