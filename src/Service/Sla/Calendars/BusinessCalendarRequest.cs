using CrmPlatform.ServiceDefaults;
using NodaTime;

namespace CrmPlatform.Service.Sla.Calendars;

/// <summary>One working interval as written: <c>day</c> (monday…sunday), <c>from</c> and <c>to</c> as <c>HH:mm</c>.</summary>
public sealed record WorkingIntervalRequest(string? Day, string? From, string? To);

/// <summary>A holiday as written: <c>date</c>, <c>name</c>, <c>recurring</c> (every year), and <c>from</c>/<c>to</c> for part of a day.</summary>
public sealed record HolidayRequest(DateOnly? Date, string? Name, bool? Recurring, string? From, string? To);

/// <summary>A business calendar as written: <c>name</c>, <c>timeZone</c> (IANA), <c>isDefault</c>, <c>workingHours</c>, <c>holidays</c>.</summary>
public sealed record BusinessCalendarRequest(
    string? Name, string? TimeZone, bool? IsDefault, IReadOnlyList<WorkingIntervalRequest?>? WorkingHours, IReadOnlyList<HolidayRequest?>? Holidays)
{
    /// <summary>
    /// The calendar the request describes. <paramref name="malformed"/> (a 400) holds what is missing or not in the
    /// documented format; <paramref name="invalid"/> (a 422) what is well-formed but cannot be a calendar: an unknown
    /// time zone, an interval that ends before it starts, intervals of one day that overlap, a day with no working time.
    /// </summary>
    public BusinessCalendar? Read(out FieldErrors malformed, out FieldErrors invalid)
    {
        malformed = new FieldErrors()
            .Required("name", Name, BusinessCalendar.NameMaxLength)
            .Required("timeZone", TimeZone, 100)
            .When(WorkingHours is null, "workingHours", "workingHours is required: the working intervals per weekday.")
            .When(WorkingHours?.Count > BusinessCalendar.MaxIntervals, "workingHours", $"A calendar has at most {BusinessCalendar.MaxIntervals} working intervals.")
            .When(Holidays?.Count > BusinessCalendar.MaxHolidays, "holidays", $"A calendar has at most {BusinessCalendar.MaxHolidays} holidays.");
        invalid = new FieldErrors();
        var intervals = new List<(int Index, WorkingInterval Interval)>();
        for (var i = 0; i < (WorkingHours?.Count ?? 0); i++)
        {
            if (ReadInterval(WorkingHours![i], $"workingHours[{i}]", malformed, invalid) is { } interval)
            {
                intervals.Add((i, interval));
            }
        }
        var holidays = new List<Holiday>();
        for (var i = 0; i < (Holidays?.Count ?? 0); i++)
        {
            if (ReadHoliday(Holidays![i], $"holidays[{i}]", malformed, invalid) is { } holiday)
            {
                holidays.Add(holiday);
            }
        }
        if (!malformed.IsValid)
        {
            return null;
        }
        invalid.When(DateTimeZoneProviders.Tzdb.GetZoneOrNull(TimeZone!.Trim()) is null, "timeZone",
            $"'{TimeZone}' is not an IANA time zone (such as Europe/Berlin, America/New_York or UTC).");
        invalid.When(WorkingHours!.Count == 0, "workingHours", "A calendar needs at least one working interval.");
        CheckOverlaps(intervals, invalid);
        return invalid.IsValid
            ? new BusinessCalendar { Name = Name!.Trim(), TimeZone = TimeZone.Trim(), IsDefault = IsDefault ?? false, WorkingHours = [.. intervals.Select(i => i.Interval)], Holidays = holidays }
            : null;
    }

    private static WorkingInterval? ReadInterval(WorkingIntervalRequest? request, string path, FieldErrors malformed, FieldErrors invalid)
    {
        if (request is null)
        {
            malformed.Add(path, "A working interval cannot be null.");
            return null;
        }
        var day = Enum.GetValues<DayOfWeek>().Select(d => (DayOfWeek?)d).FirstOrDefault(d => DayName(d!.Value) == request.Day);
        var before = malformed.Count;
        malformed.When(day is null, $"{path}.day", "day is monday, tuesday, wednesday, thursday, friday, saturday or sunday.")
            .When(!ClockTime.IsValid(request.From), $"{path}.from", "from is a time of day as HH:mm (08:00).")
            .When(!ClockTime.IsValid(request.To), $"{path}.to", "to is a time of day as HH:mm (17:00, or 24:00 for midnight).");
        if (malformed.Count != before)
        {
            return null;
        }
        if (ClockTime.Minutes(request.To!) <= ClockTime.Minutes(request.From!))
        {
            invalid.Add($"{path}.to", $"to ({request.To}) must be later than from ({request.From}) on the same day.");
            return null;
        }
        return new WorkingInterval(day!.Value, request.From!, request.To!);
    }

    private static Holiday? ReadHoliday(HolidayRequest? request, string path, FieldErrors malformed, FieldErrors invalid)
    {
        if (request is null)
        {
            malformed.Add(path, "A holiday cannot be null.");
            return null;
        }
        var before = malformed.Count;
        malformed.When(request.Date is null, $"{path}.date", "date is required (yyyy-MM-dd).")
            .MaxLength($"{path}.name", request.Name, Holiday.NameMaxLength)
            .When(request.From is not null && !ClockTime.IsValid(request.From), $"{path}.from", "from is a time of day as HH:mm.")
            .When(request.To is not null && !ClockTime.IsValid(request.To), $"{path}.to", "to is a time of day as HH:mm.")
            .When((request.From is null) != (request.To is null), $"{path}.from", "A partial-day holiday gives both from and to; a whole-day one neither.");
        if (malformed.Count != before)
        {
            return null;
        }
        if (request.From is not null && ClockTime.Minutes(request.To!) <= ClockTime.Minutes(request.From))
        {
            invalid.Add($"{path}.to", $"to ({request.To}) must be later than from ({request.From}).");
            return null;
        }
        return new Holiday(request.Date!.Value, string.IsNullOrWhiteSpace(request.Name) ? null : request.Name.Trim(), request.Recurring ?? false, request.From, request.To);
    }

    /// <summary>Two intervals of one weekday may touch (08:00–12:00, 12:00–13:00) but not overlap: the same hour counted twice.</summary>
    private static void CheckOverlaps(List<(int Index, WorkingInterval Interval)> intervals, FieldErrors invalid)
    {
        for (var i = 0; i < intervals.Count; i++)
        {
            var (index, interval) = intervals[i];
            var earlier = intervals.Take(i).Select(x => x.Interval).FirstOrDefault(other =>
                other.Day == interval.Day && other.FromMinute < interval.ToMinute && interval.FromMinute < other.ToMinute);
            if (earlier is not null)
            {
                invalid.Add($"workingHours[{index}]", $"{DayName(interval.Day)} {interval.From}–{interval.To} overlaps {earlier.From}–{earlier.To} on the same day.");
            }
        }
    }

    public static string DayName(DayOfWeek day) => day.ToString().ToLowerInvariant();
}

public sealed record BusinessCalendarResponse(
    Guid Id, string Name, string TimeZone, bool IsDefault, IReadOnlyList<WorkingIntervalResponse> WorkingHours, IReadOnlyList<Holiday> Holidays,
    DateTime CreatedAt, string? CreatedBy, DateTime UpdatedAt, string? UpdatedBy, int Version)
{
    public static BusinessCalendarResponse From(BusinessCalendar c) => new(
        c.Id, c.Name, c.TimeZone, c.IsDefault, [.. c.WorkingHours.Select(i => new WorkingIntervalResponse(BusinessCalendarRequest.DayName(i.Day), i.From, i.To))],
        c.Holidays, c.CreatedAt, c.CreatedBy, c.UpdatedAt, c.UpdatedBy, c.Version);
}

public sealed record WorkingIntervalResponse(string Day, string From, string To);
