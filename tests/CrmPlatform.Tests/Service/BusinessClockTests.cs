using CrmPlatform.Service.Sla.Calendars;
using static CrmPlatform.Tests.Service.SlaTestCalendars;

namespace CrmPlatform.Tests.Service;

/// <summary>
/// <see cref="BusinessClock"/> against due times computed by hand (Berlin is UTC+1 in winter, UTC+2 in summer; in 2026
/// the clocks go forward on Sunday 29 March at 02:00 and back on Sunday 25 October at 03:00).
/// </summary>
public sealed class BusinessClockTests
{
    private static readonly BusinessClock Office = BerlinOffice().Clock();
    private static readonly BusinessClock AroundTheClock = BerlinAroundTheClock().Clock();

    [Theory]
    // Tuesday 19:30 CET, after hours: the clock starts Wednesday 08:00; 4 h end at 12:00 CET.
    [InlineData("2026-11-10T18:30:00Z", 240, "2026-11-11T11:00:00Z")]
    // 5 h: 08:00–12:00, lunch skipped, 13:00–14:00 CET.
    [InlineData("2026-11-10T18:30:00Z", 300, "2026-11-11T13:00:00Z")]
    // Friday 15:00 CET, 4 h: 2 h on Friday, the weekend skipped, 2 h Monday to 10:00 CET.
    [InlineData("2026-11-13T14:00:00Z", 240, "2026-11-16T09:00:00Z")]
    // Thursday 24 December 10:00 CET, 8 h: 2 h until Christmas Eve's 12:00, Christmas Day (recurring from 2025), the
    // weekend, then Monday 28th 08:00–12:00 and 13:00–15:00 CET.
    [InlineData("2026-12-24T09:00:00Z", 480, "2026-12-28T14:00:00Z")]
    // Friday 27 March 16:00 CET, 2 h: 1 h Friday, 1 h on Monday after the spring change: 09:00 CEST is 07:00Z.
    [InlineData("2026-03-27T15:00:00Z", 120, "2026-03-30T07:00:00Z")]
    // Friday 23 October 16:00 CEST, 2 h: 1 h Friday, Monday after the autumn change 08:00–09:00 CET is 08:00Z.
    [InlineData("2026-10-23T14:00:00Z", 120, "2026-10-26T08:00:00Z")]
    // Exactly at the end of a working interval: the next interval.
    [InlineData("2026-11-11T11:00:00Z", 1, "2026-11-11T12:01:00Z")]
    public void Add_counts_working_hours_only(string start, int minutes, string due) =>
        Assert.Equal(Utc(due), Office.Add(Utc(start), TimeSpan.FromMinutes(minutes)));

    [Theory]
    // Saturday 28 March 23:00 CET; 4 real hours later it is 04:00 CEST by the wall clock (5 hours on it).
    [InlineData("2026-03-28T22:00:00Z", 240, "2026-03-29T02:00:00Z")]
    // Saturday 24 October 23:00 CEST; 4 real hours later it is 02:00 CET (3 hours on the wall clock).
    [InlineData("2026-10-24T21:00:00Z", 240, "2026-10-25T01:00:00Z")]
    public void Across_a_DST_change_an_hour_of_work_is_a_real_hour(string start, int minutes, string due) =>
        Assert.Equal(Utc(due), AroundTheClock.Add(Utc(start), TimeSpan.FromMinutes(minutes)));

    [Fact]
    public void A_working_day_lasts_as_long_as_its_wall_clock_hours_really_do()
    {
        // Sunday 29 March 00:00–24:00 in Berlin is 23 h; Sunday 25 October 25 h.
        Assert.Equal(TimeSpan.FromHours(23), AroundTheClock.Elapsed(Utc("2026-03-28T23:00:00Z"), Utc("2026-03-29T22:00:00Z")));
        Assert.Equal(TimeSpan.FromHours(25), AroundTheClock.Elapsed(Utc("2026-10-24T22:00:00Z"), Utc("2026-10-25T23:00:00Z")));

        // A night shift 01:00–04:00 on the spring-change Sunday has 2 real hours (02:00–03:00 does not exist)…
        var night = new BusinessClock("Europe/Berlin", [new WorkingInterval(DayOfWeek.Sunday, "01:00", "04:00")], []);
        Assert.Equal(TimeSpan.FromHours(2), night.Elapsed(Utc("2026-03-28T12:00:00Z"), Utc("2026-03-29T12:00:00Z")));
        Assert.Equal(Utc("2026-03-29T02:00:00Z"), night.Add(Utc("2026-03-28T12:00:00Z"), TimeSpan.FromHours(2)));
        // …and 4 on the autumn one (02:00–03:00 happens twice).
        Assert.Equal(TimeSpan.FromHours(4), night.Elapsed(Utc("2026-10-24T12:00:00Z"), Utc("2026-10-25T12:00:00Z")));
    }

    [Fact]
    public void Elapsed_is_the_inverse_of_Add()
    {
        // Tuesday 19:30 CET to Wednesday 14:00 CET: 08:00–12:00 and 13:00–14:00, 5 h.
        Assert.Equal(TimeSpan.FromHours(5), Office.Elapsed(Utc("2026-11-10T18:30:00Z"), Utc("2026-11-11T13:00:00Z")));
        // Over Christmas: 24th 10:00–12:00 and the 28th 08:00–12:00, 13:00–15:00 CET.
        Assert.Equal(TimeSpan.FromHours(8), Office.Elapsed(Utc("2026-12-24T09:00:00Z"), Utc("2026-12-28T14:00:00Z")));
        Assert.Equal(TimeSpan.Zero, Office.Elapsed(Utc("2026-11-14T09:00:00Z"), Utc("2026-11-15T20:00:00Z")));
        var start = Utc("2026-03-20T10:17:00Z");
        foreach (var minutes in new[] { 1, 59, 480, 2000, 10_000 })
        {
            Assert.Equal(TimeSpan.FromMinutes(minutes), Office.Elapsed(start, Office.Add(start, TimeSpan.FromMinutes(minutes))));
        }
    }

    [Fact]
    public void A_zero_duration_is_due_at_once_and_an_unknown_zone_is_refused()
    {
        Assert.Equal(Utc("2026-11-14T09:00:00Z"), Office.Add(Utc("2026-11-14T09:00:00Z"), TimeSpan.Zero));
        Assert.Throws<ArgumentException>(() => new BusinessClock("Europe/Atlantis", [], []));
    }
}
