using CrmPlatform.AppHost.Telemetry;

namespace CrmPlatform.AppHost.Dashboard;

public sealed record ChartPoint(DateTime Time, double Value);

/// <summary>One line of a chart.</summary>
public sealed record ChartLine(string Title, IReadOnlyList<ChartPoint> Points);

/// <summary>The lines to draw for an instrument over a window, and the unit of their values (seconds are shown as milliseconds).</summary>
public sealed record MetricChartData(IReadOnlyList<ChartLine> Lines, string? Unit, DateTime From, DateTime To);

/// <summary>
/// How a sum is drawn: its value, or its increase per second. Value comes first: the model does not say whether a sum
/// only goes up (a counter, best read as a rate) or up and down (active requests, heap size, whose rate means little).
/// </summary>
public enum SumDisplay
{
    Value,
    Rate,
}

/// <summary>
/// Turns an instrument's points into chart lines over a time window, in buckets of about a hundred per window:
/// gauges as their values (a line per series), sums as a rate or a total across the selected series, histograms as
/// p50/p95/p99 computed from the bucket counts of each interval. Cumulative points (counts since the start of the
/// process) are differenced point to point to get what happened in each interval.
/// </summary>
public static class MetricSeries
{
    private const int BucketsPerWindow = 120;
    private const int MaxGaugeLines = 10;
    private static readonly double[] Percentiles = [0.50, 0.95, 0.99];

    /// <summary>The dimension keys of the points and the values each takes, to filter on.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Dimensions(IEnumerable<MetricPoint> points) =>
        points.SelectMany(p => p.Dimensions)
            .GroupBy(d => d.Key)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(d => d.Value).Distinct().Order(StringComparer.Ordinal)]);

    /// <param name="points">Oldest first; points older than <paramref name="from"/> only serve as the previous point of a cumulative series.</param>
    /// <param name="filter">Per dimension key, the values to keep; a key without values keeps everything.</param>
    public static MetricChartData Build(
        InstrumentData instrument,
        IEnumerable<MetricPoint> points,
        DateTimeOffset from,
        DateTimeOffset to,
        IReadOnlyDictionary<string, IReadOnlySet<string>> filter,
        SumDisplay sumDisplay)
    {
        var window = new Window(from, to);
        var series = points.Where(p => Matches(p, filter)).GroupBy(p => Label(p.Dimensions)).ToList();
        var (scale, unit) = instrument.Unit == "s" ? (1000.0, "ms") : (1.0, instrument.Unit);
        var (lines, lineUnit) = instrument.Type switch
        {
            InstrumentType.Gauge => (GaugeLines(instrument, series, window), unit),
            InstrumentType.Sum when sumDisplay == SumDisplay.Rate => ([RateLine(instrument, series, window)], $"{unit}/s"),
            InstrumentType.Sum => ([TotalLine(instrument, series, window)], unit),
            _ => (PercentileLines(instrument, series, window, scale), unit),
        };
        return new MetricChartData(lines, lineUnit, from.ToLocalTime().DateTime, to.ToLocalTime().DateTime);
    }

    /// <summary>The value below which a fraction <paramref name="quantile"/> of the recorded values fall, interpolated within its bucket.</summary>
    /// <param name="bounds">The buckets' upper bounds.</param>
    /// <param name="counts">One count per bucket, and a last one for values above the last bound.</param>
    public static double? Percentile(IReadOnlyList<double> bounds, IReadOnlyList<ulong> counts, double quantile)
    {
        var total = counts.Aggregate(0UL, (sum, count) => sum + count);
        if (total == 0)
        {
            return null;
        }

        var rank = quantile * total;
        var below = 0UL;
        for (var i = 0; i < counts.Count; i++)
        {
            if (counts[i] > 0 && below + counts[i] >= rank)
            {
                // The overflow bucket has no upper bound: its lower bound is the best estimate.
                if (i >= bounds.Count)
                {
                    return bounds.Count > 0 ? bounds[^1] : null;
                }

                var lower = i == 0 ? Math.Min(0, bounds[0]) : bounds[i - 1];
                return lower + ((bounds[i] - lower) * (rank - below) / counts[i]);
            }

            below += counts[i];
        }

        return bounds.Count > 0 ? bounds[^1] : null;
    }

    /// <summary>The series' dimension values as people read them: <c>http.route=/api/v1/people, http.response.status_code=200</c>.</summary>
    public static string Label(IReadOnlyDictionary<string, string> dimensions) =>
        string.Join(", ", dimensions.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key}={d.Value}"));

    private static bool Matches(MetricPoint point, IReadOnlyDictionary<string, IReadOnlySet<string>> filter) =>
        filter.All(f => f.Value.Count == 0 || f.Value.Contains(point.Dimensions.GetValueOrDefault(f.Key, "")));

    private static IReadOnlyList<ChartLine> GaugeLines(InstrumentData instrument, List<IGrouping<string, MetricPoint>> series, Window window) =>
        [.. series
            .OrderByDescending(s => s.Last().Time)
            .Take(MaxGaugeLines)
            .OrderBy(s => s.Key, StringComparer.Ordinal)
            .Select(s => new ChartLine(
                s.Key.Length == 0 ? instrument.Key.Name : s.Key,
                [.. s.Where(p => window.Contains(p.Time))
                    .GroupBy(p => window.Bucket(p.Time))
                    .Select(b => new ChartPoint(window.BucketEnd(b.Key), b.Last().Value ?? 0))]))];

    /// <summary>The increase per second of the selected series together.</summary>
    private static ChartLine RateLine(InstrumentData instrument, List<IGrouping<string, MetricPoint>> series, Window window)
    {
        var increases = new double[window.BucketCount];
        var (first, last) = (int.MaxValue, -1);
        foreach (var s in series)
        {
            var changes = Increases(instrument, s, window,
                (current, previous) => (current.Value ?? 0) - (previous?.Value ?? 0),
                (current, previous) => current.Value < previous.Value);
            foreach (var (point, increase) in changes)
            {
                var bucket = window.Bucket(point.Time);
                increases[bucket] += increase;
                (first, last) = (Math.Min(first, bucket), Math.Max(last, bucket));
            }
        }

        // Zero between reports, but nothing before the first or after the last: the service was not running then.
        var seconds = window.BucketWidth.TotalSeconds;
        return new ChartLine($"{instrument.Key.Name} per second",
            [.. Enumerable.Range(first, Math.Max(0, last - first + 1)).Select(bucket => new ChartPoint(window.BucketEnd(bucket), increases[bucket] / seconds))]);
    }

    /// <summary>The value of the selected series together; a series without a point in a bucket keeps its last value.</summary>
    private static ChartLine TotalLine(InstrumentData instrument, List<IGrouping<string, MetricPoint>> series, Window window)
    {
        var totals = new double[window.BucketCount];
        var reported = new bool[window.BucketCount];
        foreach (var s in series)
        {
            var byBucket = s.Where(p => window.Contains(p.Time)).GroupBy(p => window.Bucket(p.Time)).ToDictionary(b => b.Key, b => b.Last().Value ?? 0);
            double? last = null;
            var running = 0.0;
            for (var bucket = 0; bucket < window.BucketCount; bucket++)
            {
                if (byBucket.TryGetValue(bucket, out var value))
                {
                    running = instrument.IsCumulative ? value : running + value;
                    last = running;
                }

                if (last is { } carried)
                {
                    totals[bucket] += carried;
                    reported[bucket] = true;
                }
            }
        }

        return new ChartLine(instrument.Key.Name, [.. totals.Select((total, bucket) => (total, bucket))
            .Where(t => reported[t.bucket])
            .Select(t => new ChartPoint(window.BucketEnd(t.bucket), t.total))]);
    }

    private static IReadOnlyList<ChartLine> PercentileLines(InstrumentData instrument, List<IGrouping<string, MetricPoint>> series, Window window, double scale)
    {
        // Series of one instrument share their bucket bounds; one that does not (a changed view) cannot be added up.
        var bounds = series.SelectMany(s => s).Select(p => p.Histogram?.Bounds).OfType<IReadOnlyList<double>>().FirstOrDefault() ?? [];
        var counts = new ulong[window.BucketCount][];
        foreach (var s in series)
        {
            var increases = Increases(instrument, s.Where(p => p.Histogram?.Bounds.SequenceEqual(bounds) == true), window,
                (current, previous) => current.Histogram!.Counts.Select((count, i) => count - (previous?.Histogram!.Counts[i] ?? 0)).ToArray(),
                (current, previous) => current.Histogram!.Counts.Where((count, i) => count < previous.Histogram!.Counts[i]).Any());
            foreach (var (point, increase) in increases)
            {
                var bucket = counts[window.Bucket(point.Time)] ??= new ulong[bounds.Count + 1];
                for (var i = 0; i < bucket.Length && i < increase.Length; i++)
                {
                    bucket[i] += increase[i];
                }
            }
        }

        return [.. Percentiles.Select(quantile => new ChartLine(
            $"p{quantile * 100:0}",
            [.. counts.Select((bucket, index) => (bucket, index))
                .Where(b => b.bucket is not null)
                .Select(b => (b.index, value: Percentile(bounds, b.bucket, quantile)))
                .Where(b => b.value is not null)
                .Select(b => new ChartPoint(window.BucketEnd(b.index), b.value!.Value * scale))]))];
    }

    /// <summary>
    /// What each point in the window adds: itself for a delta point; for a cumulative one, the difference from the previous
    /// point, or itself when the series (re)started in between (a new start time, or counts that went down).
    /// </summary>
    private static IEnumerable<(MetricPoint Point, T Increase)> Increases<T>(
        InstrumentData instrument,
        IEnumerable<MetricPoint> series,
        Window window,
        Func<MetricPoint, MetricPoint?, T> difference,
        Func<MetricPoint, MetricPoint, bool> wentDown)
    {
        MetricPoint? previous = null;
        foreach (var point in series)
        {
            var inWindow = window.Contains(point.Time);
            if (inWindow && !instrument.IsCumulative)
            {
                yield return (point, difference(point, null));
            }
            else if (inWindow && previous is not null)
            {
                var restarted = previous.StartTime != point.StartTime || wentDown(point, previous);
                yield return (point, difference(point, restarted ? null : previous));
            }
            else if (inWindow && point.StartTime >= window.From)
            {
                // Without an earlier point, only a series that started in the window says what happened in it.
                yield return (point, difference(point, null));
            }

            previous = point;
        }
    }

    /// <summary>The chart's time span cut into equal buckets, each drawn at its end.</summary>
    private sealed record Window(DateTimeOffset From, DateTimeOffset To)
    {
        public TimeSpan BucketWidth { get; } = TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling((To - From).TotalSeconds / BucketsPerWindow)));

        public int BucketCount => (int)Math.Ceiling((To - From) / BucketWidth);

        public bool Contains(DateTimeOffset time) => time >= From && time < To;

        public int Bucket(DateTimeOffset time) => Math.Clamp((int)((time - From) / BucketWidth), 0, BucketCount - 1);

        public DateTime BucketEnd(int bucket) => (From + (BucketWidth * (bucket + 1))).ToLocalTime().DateTime;
    }
}
