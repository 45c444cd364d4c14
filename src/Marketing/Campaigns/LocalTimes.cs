using System.Collections.Frozen;
using NodaTime.TimeZones;

namespace CrmPlatform.Marketing.Campaigns;

/// <summary>How a campaign's <c>localTime</c> is read.</summary>
public static class TimeZoneModes
{
    /// <summary>In the zone the request names: one instant for everyone.</summary>
    public const string Fixed = "fixed";
    /// <summary>In the tenant's zone: one instant for everyone.</summary>
    public const string Tenant = "tenant";
    /// <summary>In each recipient's own zone (from their country; the tenant's when unknown): an instant per recipient.</summary>
    public const string Recipient = "recipient";

    public static readonly IReadOnlyList<string> All = [Fixed, Tenant, Recipient];
}

/// <summary>Wall-clock times in IANA zones, and the zone a recipient or tenant lives in.</summary>
public static class LocalTimes
{
    /// <summary>
    /// UTC+14 (Kiribati) is the first to reach any wall-clock time: a per-recipient campaign starts then, so its audience
    /// is fixed before anyone's local time comes.
    /// </summary>
    public static readonly TimeSpan EarliestOffset = TimeSpan.FromHours(14);

    /// <summary>The zone for an IANA id; null for an unknown one or a Windows id (the API speaks IANA only).</summary>
    public static TimeZoneInfo? Find(string? id) =>
        !string.IsNullOrWhiteSpace(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id.Trim(), out var zone) && zone.HasIanaId ? zone : null;

    /// <summary>
    /// The instant <paramref name="local"/> is in <paramref name="zone"/>. A time the spring change skips (02:30 where
    /// clocks jump from 02:00 to 03:00) is moved on by the gap (to 03:30); a time the autumn change repeats is its
    /// second occurrence (TimeZoneInfo reads it as standard time).
    /// </summary>
    public static DateTime ToUtc(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            // The offset in force before the gap, so the wall time lands as far past the jump as it was meant past 02:00.
            var before = zone.GetUtcOffset(local.AddDays(-1));
            return DateTime.SpecifyKind(local - before, DateTimeKind.Utc);
        }
        return TimeZoneInfo.ConvertTimeToUtc(local, zone);
    }

    /// <summary>
    /// A country's zone (ISO 3166-1 alpha-2): the first tzdb lists for it in <c>zone.tab</c>, its most populous one
    /// (US: America/New_York, DE: Europe/Berlin; Russia, which zone.tab lists west to east, is taken as Europe/Moscow).
    /// Contacts keeps no zone per person, so for a country with several zones this is the best guess, not the truth.
    /// </summary>
    public static TimeZoneInfo? ForCountry(string? country) =>
        country is { Length: 2 } && CountryZones.TryGetValue(country, out var zone) ? zone : null;

    private static readonly FrozenDictionary<string, TimeZoneInfo> CountryZones = BuildCountryZones();

    private static FrozenDictionary<string, TimeZoneInfo> BuildCountryZones()
    {
        var zones = new Dictionary<string, TimeZoneInfo>(StringComparer.OrdinalIgnoreCase);
        foreach (var location in TzdbDateTimeZoneSource.Default.ZoneLocations ?? [])
        {
            if (!zones.ContainsKey(location.CountryCode) && Find(location.ZoneId) is { } zone)
            {
                zones[location.CountryCode] = zone;
            }
        }
        // zone.tab orders Russia west to east; most Russians live on Moscow time.
        if (Find("Europe/Moscow") is { } moscow)
        {
            zones["RU"] = moscow;
        }
        return zones.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }
}
