using CrmPlatform.AppHost.Dashboard;
using CrmPlatform.AppHost.Telemetry;

namespace CrmPlatform.Tests.Dashboard;

/// <summary>What the metrics page draws: percentiles from bucket counts, and cumulative points turned into what happened per interval.</summary>
public sealed class MetricSeriesTests
{
    private static readonly TelemetrySource Contacts = new("contacts", "instance-1");
    private static readonly DateTimeOffset From = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = From.AddMinutes(1);
    private static readonly double[] Bounds = [10, 20, 50];
    private static readonly Dictionary<string, IReadOnlySet<string>> NoFilter = [];

    [Fact]
    public void A_percentile_is_interpolated_within_its_bucket_and_the_overflow_bucket_gives_the_last_bound()
    {
        Assert.Equal(15, MetricSeries.Percentile(Bounds, [0, 10, 0, 0], 0.50));
        Assert.Equal(19.9, MetricSeries.Percentile(Bounds, [0, 10, 0, 0], 0.99)!.Value, precision: 9);
        Assert.Equal(5, MetricSeries.Percentile(Bounds, [10, 0, 0, 0], 0.50));
        Assert.Equal(50, MetricSeries.Percentile(Bounds, [0, 0, 0, 4], 0.95));
        Assert.Null(MetricSeries.Percentile(Bounds, [0, 0, 0, 0], 0.50));
    }

    [Fact]
    public void Cumulative_histogram_points_are_differenced_and_a_restarted_series_counts_from_zero()
    {
        var instrument = new InstrumentData(new InstrumentKey(Contacts, "Microsoft.AspNetCore.Hosting", "http.server.request.duration"), null, "ms", InstrumentType.Histogram, IsCumulative: true);
        var started = From.AddMinutes(-10);
        var restarted = From.AddSeconds(2);
        MetricPoint[] points =
        [
            // Before the window: only the previous point of the first one drawn.
            Histogram(started, From.AddSeconds(-0.5), [5, 0, 0, 0]),
            Histogram(started, From.AddSeconds(0.5), [5, 10, 0, 0]),
            Histogram(restarted, From.AddSeconds(2.5), [0, 0, 2, 0]),
        ];

        var chart = MetricSeries.Build(instrument, points, From, To, NoFilter, SumDisplay.Rate);

        var p50 = Assert.Single(chart.Lines, line => line.Title == "p50");
        Assert.Equal([15.0, 35.0], p50.Points.Select(p => p.Value));
        Assert.Equal(["p50", "p95", "p99"], chart.Lines.Select(line => line.Title));
        Assert.Equal("ms", chart.Unit);
    }

    [Fact]
    public void A_cumulative_counter_is_drawn_as_its_increase_per_second_or_its_value_across_the_chosen_dimension_values()
    {
        var instrument = new InstrumentData(new InstrumentKey(Contacts, "CrmPlatform.Contacts", "people.created"), null, "{person}", InstrumentType.Sum, IsCumulative: true);
        var started = From.AddMinutes(-10);
        MetricPoint[] points =
        [
            Counter(started, From.AddSeconds(-0.5), 100, "api"),
            Counter(started, From.AddSeconds(0.5), 110, "api"),
            Counter(started, From.AddSeconds(1.5), 130, "api"),
            Counter(started, From.AddSeconds(0.5), 1000, "import"),
        ];
        var onlyApi = new Dictionary<string, IReadOnlySet<string>> { ["source"] = new HashSet<string> { "api" } };

        var rate = MetricSeries.Build(instrument, points, From, To, onlyApi, SumDisplay.Rate);
        var value = MetricSeries.Build(instrument, points, From, To, onlyApi, SumDisplay.Value);

        Assert.Equal([10.0, 20.0], Assert.Single(rate.Lines).Points.Select(p => p.Value));
        Assert.Equal("{person}/s", rate.Unit);
        Assert.Equal([110.0, 130.0, 130.0], Assert.Single(value.Lines).Points.Take(3).Select(p => p.Value));
        Assert.Equal(["api", "import"], MetricSeries.Dimensions(points)["source"]);
    }

    private static MetricPoint Histogram(DateTimeOffset start, DateTimeOffset time, ulong[] counts) =>
        new(start, time, new Dictionary<string, string> { ["http.route"] = "/health" }, null,
            new HistogramValue((ulong)counts.Sum(c => (long)c), 0, Bounds, counts));

    private static MetricPoint Counter(DateTimeOffset start, DateTimeOffset time, double value, string source) =>
        new(start, time, new Dictionary<string, string> { ["source"] = source }, value, null);
}
