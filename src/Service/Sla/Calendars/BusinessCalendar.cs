using System.Text.RegularExpressions;
using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Service.Sla.Calendars;

/// <summary>
/// When a support team works: an IANA time zone, working hours per weekday (several intervals a day allowed) and
/// holidays. SLA clocks run only inside these hours (<see cref="BusinessClock"/>). Tenant configuration, so no record
/// scope: every Service reader sees every calendar. A tenant has at most one default, which policies without a
/// calendar of their own use.
/// </summary>
public sealed class BusinessCalendar : UnownedAuditedEntity
{
    public const int NameMaxLength = 100;
    public const int MaxIntervals = 70;
    public const int MaxHolidays = 500;

    public string Name { get; set; } = "";

    /// <summary>An IANA zone id (<c>Europe/Berlin</c>); working hours and holidays are wall-clock times there.</summary>
    public string TimeZone { get; set; } = "UTC";

    public bool IsDefault { get; set; }

    public IReadOnlyList<WorkingInterval> WorkingHours { get; set; } = [];

    public IReadOnlyList<Holiday> Holidays { get; set; } = [];

    public BusinessClock Clock() => new(TimeZone, WorkingHours, Holidays);

    /// <summary>
    /// What a tenant without any calendar gets: every hour of every day in UTC, so SLA targets are plain elapsed time
    /// until an admin says otherwise.
    /// </summary>
    public static BusinessCalendar AroundTheClock() => new()
    {
        Name = "Around the clock",
        TimeZone = "UTC",
        WorkingHours = [.. Enum.GetValues<DayOfWeek>().Select(day => new WorkingInterval(day, "00:00", "24:00"))],
    };
}

/// <summary>Working time on one weekday, <c>from</c> inclusive to <c>to</c> exclusive, as <c>HH:mm</c> (<c>to</c> may be <c>24:00</c>).</summary>
public sealed record WorkingInterval(DayOfWeek Day, string From, string To)
{
    public int FromMinute => ClockTime.Minutes(From);
    public int ToMinute => ClockTime.Minutes(To);
}

/// <summary>
/// A day off: the whole day, or only <c>from</c>–<c>to</c> when both are given (Christmas Eve afternoon). A recurring
/// holiday repeats on the same month and day every year.
/// </summary>
public sealed record Holiday(DateOnly Date, string? Name, bool Recurring, string? From, string? To)
{
    public const int NameMaxLength = 100;

    public bool IsPartial => From is not null && To is not null;

    public bool FallsOn(DateOnly day) => Recurring ? day.Month == Date.Month && day.Day == Date.Day : day == Date;
}

/// <summary>Wall-clock times as the API writes them: <c>HH:mm</c> from 00:00 to 24:00.</summary>
public static partial class ClockTime
{
    public const int EndOfDay = 24 * 60;

    public static bool IsValid(string? value) => value is not null && Pattern().IsMatch(value);

    /// <summary>Minutes since midnight; <see cref="IsValid"/> first.</summary>
    public static int Minutes(string value) => value == "24:00" ? EndOfDay : int.Parse(value[..2]) * 60 + int.Parse(value[3..]);

    [GeneratedRegex("^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]
    private static partial Regex Pattern();
}
