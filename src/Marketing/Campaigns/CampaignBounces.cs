using CrmPlatform.Marketing.Apis;
using CrmPlatform.Marketing.Data;

namespace CrmPlatform.Marketing.Campaigns;

/// <summary>
/// A hard bounce reported after the SMTP server accepted the message (through the API, or a DSN to the bounce
/// listener): one way for both, so they count and suppress alike.
/// </summary>
public static class CampaignBounces
{
    /// <summary>
    /// The sent recipient counts as bounced (so delivered drops by one) and the address is suppressed for every later
    /// campaign of the tenant, in one save. Idempotent: a second report keeps the first bounce time and suppression, so
    /// the same DSN twice counts once. False when the recipient had bounced already. The caller has set the tenant.
    /// </summary>
    public static async Task<bool> RecordAsync(
        MarketingDbContext db, CampaignRecipient recipient, string? diagnostic, DateTime now, CancellationToken cancellationToken)
    {
        var first = recipient.BouncedAt is null;
        var note = Clip(diagnostic?.Trim(), 500);
        recipient.BouncedAt ??= now;
        recipient.Error = Clip(diagnostic?.Trim(), 1000);
        await SuppressionsApi.SuppressAsync(db, recipient.Email!, SuppressionReasons.HardBounce, recipient.CampaignId, note, now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return first;
    }

    private static string? Clip(string? value, int length) => value is { } v && v.Length > length ? v[..length] : value;
}
