using NodaTime;
using NodaTime.TimeZones;
using NodaTime.Utility;

namespace CrmPlatform.Service.Sla.Calendars;

/// <summary>
/// Business-time arithmetic over one calendar, without side effects: <see cref="Add"/> answers when a business
/// duration starting at an instant runs out, <see cref="Elapsed"/> how much business time lies between two instants.
/// Working hours are wall-clock times in the calendar's zone, turned into instants day by day with NodaTime, so an
/// hour of work is an hour of real time: a working day that contains a daylight-saving change is as long as its
/// wall-clock hours really last (a 00:00–24:00 day in Berlin has 23 hours in March and 25 in October).
/// </summary>
public sealed class BusinessClock
{
    /// <summary>
    /// Looking further ahead than this for working time means the calendar has none (every working day a holiday):
    /// an answer would be meaningless, so it is an error rather than an endless loop.
    /// </summary>
    private const int HorizonDays = 366 * 5;

    // A working interval that starts in a skipped hour begins when the clocks have moved on; in a repeated hour a start
    // takes the first occurrence and an end the second, so the interval keeps every real minute of its wall-clock span.
    private static readonly ZoneLocalMappingResolver StartResolver =
        Resolvers.CreateMappingResolver(Resolvers.ReturnEarlier, Resolvers.ReturnStartOfIntervalAfter);
    private static readonly ZoneLocalMappingResolver EndResolver =
        Resolvers.CreateMappingResolver(Resolvers.ReturnLater, Resolvers.ReturnStartOfIntervalAfter);

    private readonly DateTimeZone _zone;
    private readonly Dictionary<IsoDayOfWeek, (int From, int To)[]> _hours;
    private readonly IReadOnlyList<Holiday> _holidays;

    public BusinessClock(string timeZone, IEnumerable<WorkingInterval> workingHours, IEnumerable<Holiday> holidays)
    {
        _zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(timeZone)
            ?? throw new ArgumentException($"Unknown IANA time zone '{timeZone}'.", nameof(timeZone));
        _hours = workingHours
            .GroupBy(interval => BclConversions.ToIsoDayOfWeek(interval.Day))
            .ToDictionary(day => day.Key, day => day.Select(i => (i.FromMinute, i.ToMinute)).OrderBy(i => i.FromMinute).ToArray());
        _holidays = [.. holidays];
    }

    public DateTimeZone Zone => _zone;

    /// <summary>When <paramref name="businessTime"/> of working time, counted from <paramref name="start"/>, has passed.</summary>
    public Instant Add(Instant start, Duration businessTime)
    {
        if (businessTime <= Duration.Zero)
        {
            return start;
        }
        var remaining = businessTime;
        foreach (var window in WindowsFrom(start))
        {
            var from = Instant.Max(window.Start, start);
            var available = window.End - from;
            if (remaining <= available)
            {
                return from + remaining;
            }
            remaining -= available;
        }
        throw new InvalidOperationException($"The calendar has no working time within {HorizonDays} days of {start}.");
    }

    /// <summary>The working time between <paramref name="from"/> and <paramref name="to"/> (zero when <paramref name="to"/> is not later).</summary>
    public Duration Elapsed(Instant from, Instant to)
    {
        var elapsed = Duration.Zero;
        if (to <= from)
        {
            return elapsed;
        }
        foreach (var window in WindowsFrom(from))
        {
            if (window.Start >= to)
            {
                break;
            }
            elapsed += Instant.Min(window.End, to) - Instant.Max(window.Start, from);
        }
        return elapsed;
    }

    public DateTime Add(DateTime startUtc, TimeSpan businessTime) =>
        Add(Instant.FromDateTimeUtc(Utc(startUtc)), Duration.FromTimeSpan(businessTime)).ToDateTimeUtc();

    public TimeSpan Elapsed(DateTime fromUtc, DateTime toUtc) =>
        Elapsed(Instant.FromDateTimeUtc(Utc(fromUtc)), Instant.FromDateTimeUtc(Utc(toUtc))).ToTimeSpan();

    /// <summary>Working intervals as instants, in order, from the local day of <paramref name="start"/> on; those ending by then are skipped.</summary>
    public IEnumerable<Interval> WindowsFrom(Instant start)
    {
        // The day before too: a window cannot cross midnight, but a day's local times can map before the start's local date.
        var day = start.InZone(_zone).Date.PlusDays(-1);
        for (var i = 0; i <= HorizonDays; i++, day = day.PlusDays(1))
        {
            foreach (var window in WindowsOn(day))
            {
                if (window.End > start)
                {
                    yield return window;
                }
            }
        }
    }

    /// <summary>A local date's working intervals less its holidays, as instants.</summary>
    public IEnumerable<Interval> WindowsOn(LocalDate day)
    {
        if (!_hours.TryGetValue(day.DayOfWeek, out var hours))
        {
            yield break;
        }
        var date = day.ToDateOnly();
        var closed = _holidays.Where(h => h.FallsOn(date)).ToList();
        if (closed.Any(h => !h.IsPartial))
        {
            yield break;
        }
        foreach (var (from, to) in hours)
        {
            foreach (var (openFrom, openTo) in Subtract(from, to, closed.Select(h => (ClockTime.Minutes(h.From!), ClockTime.Minutes(h.To!)))))
            {
                var start = _zone.ResolveLocal(At(day, openFrom), StartResolver).ToInstant();
                var end = _zone.ResolveLocal(At(day, openTo), EndResolver).ToInstant();
                if (end > start)
                {
                    yield return new Interval(start, end);
                }
            }
        }
    }

    /// <summary>The parts of [from, to) outside every closed span (minutes of the day).</summary>
    private static IEnumerable<(int From, int To)> Subtract(int from, int to, IEnumerable<(int From, int To)> closed)
    {
        var start = from;
        foreach (var (closedFrom, closedTo) in closed.OrderBy(c => c.From))
        {
            if (closedTo <= start || closedFrom >= to)
            {
                continue;
            }
            if (closedFrom > start)
            {
                yield return (start, closedFrom);
            }
            start = Math.Max(start, closedTo);
        }
        if (start < to)
        {
            yield return (start, to);
        }
    }

    private static LocalDateTime At(LocalDate day, int minute) =>
        minute == ClockTime.EndOfDay ? day.PlusDays(1).AtMidnight() : day.At(new LocalTime(minute / 60, minute % 60));

    private static DateTime Utc(DateTime value) => value.Kind == DateTimeKind.Utc ? value : DateTime.SpecifyKind(value, DateTimeKind.Utc);
}
