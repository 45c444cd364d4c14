using CrmPlatform.Service.Sla.Calendars;

namespace CrmPlatform.Tests.Service;

/// <summary>Calendars the SLA tests compute their expected due times by hand against.</summary>
public static class SlaTestCalendars
{
    private static readonly DayOfWeek[] Weekdays = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];

    /// <summary>
    /// A Berlin office: Monday to Friday 08:00–12:00 and 13:00–17:00 (8 hours a day); Christmas Day every year (given
    /// as 2025, so 2026 proves the recurrence) and Christmas Eve 2026 from 12:00 off.
    /// </summary>
    public static BusinessCalendar BerlinOffice() => new()
    {
        Name = "Berlin office",
        TimeZone = "Europe/Berlin",
        WorkingHours = [.. Weekdays.SelectMany(day => new[] { new WorkingInterval(day, "08:00", "12:00"), new WorkingInterval(day, "13:00", "17:00") })],
        Holidays =
        [
            new Holiday(new DateOnly(2025, 12, 25), "Christmas Day", Recurring: true, null, null),
            new Holiday(new DateOnly(2026, 12, 24), "Christmas Eve", Recurring: false, "12:00", "24:00"),
        ],
    };

    /// <summary>Every hour of every day, in Berlin's wall clock.</summary>
    public static BusinessCalendar BerlinAroundTheClock() => new()
    {
        Name = "Berlin 24/7",
        TimeZone = "Europe/Berlin",
        WorkingHours = [.. Enum.GetValues<DayOfWeek>().Select(day => new WorkingInterval(day, "00:00", "24:00"))],
    };

    /// <summary>As the API writes the Berlin office.</summary>
    public static object BerlinOfficeRequest(string name = "Berlin office", bool isDefault = false) => new
    {
        name,
        timeZone = "Europe/Berlin",
        isDefault,
        workingHours = Weekdays.SelectMany(day => new[]
        {
            new { day = day.ToString().ToLowerInvariant(), from = "08:00", to = "12:00" },
            new { day = day.ToString().ToLowerInvariant(), from = "13:00", to = "17:00" },
        }).ToArray(),
        holidays = new object[]
        {
            new { date = "2025-12-25", name = "Christmas Day", recurring = true },
            new { date = "2026-12-24", name = "Christmas Eve", recurring = false, from = "12:00", to = "24:00" },
        },
    };

    public static DateTime Utc(string iso) => DateTime.Parse(iso, null, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);
}
