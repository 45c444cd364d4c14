using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Collector.Metrics.V1;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Metrics.V1;

namespace CrmPlatform.AppHost.Telemetry.Otlp;

public sealed partial class OtlpConverter
{
    /// <summary>The meter of metrics sent without an instrumentation scope name.</summary>
    public const string UnknownMeter = "unknown_meter";

    /// <summary>
    /// Gauges, sums and histograms are kept; exponential histograms become histograms with explicit bounds. Summaries,
    /// points without a time or with a value JSON cannot carry (NaN, infinity), and histograms whose bucket counts do not
    /// match their bounds are rejected (partial success). Points flagged "no recorded value" are gaps, skipped silently.
    /// </summary>
    public OtlpBatch<InstrumentPoints> ConvertMetrics(ExportMetricsServiceRequest request)
    {
        var batches = new List<InstrumentPoints>();
        var resources = new List<OtlpResource>(request.ResourceMetrics.Count);
        var rejected = new Rejections();
        foreach (var resourceMetrics in request.ResourceMetrics)
        {
            var resource = ResourceOf(resourceMetrics.Resource);
            resources.Add(resource);
            foreach (var scopeMetrics in resourceMetrics.ScopeMetrics)
            {
                var meter = scopeMetrics.Scope?.Name is { Length: > 0 } name ? Share(name) : UnknownMeter;
                foreach (var metric in scopeMetrics.Metrics)
                {
                    if (ConvertMetric(new InstrumentKey(resource.Source, meter, Share(metric.Name)), metric, rejected) is { Points.Count: > 0 } batch)
                    {
                        batches.Add(batch);
                    }
                }
            }
        }

        return Batch(batches, resources, rejected.Count, rejected.Reasons);
    }

    private InstrumentPoints? ConvertMetric(InstrumentKey key, Metric metric, Rejections rejected)
    {
        if (metric.Name.Length == 0)
        {
            rejected.Add(PointCount(metric), "metrics need a name");
            return null;
        }

        var description = metric.Description is { Length: > 0 } d ? d : null;
        var unit = metric.Unit is { Length: > 0 } u ? u : null;
        InstrumentData Instrument(InstrumentType type, bool isCumulative) => new(key, description, unit, type, isCumulative);
        switch (metric.DataCase)
        {
            case Metric.DataOneofCase.Gauge:
                return new InstrumentPoints(Instrument(InstrumentType.Gauge, false), NumberPoints(metric.Gauge.DataPoints, rejected));
            case Metric.DataOneofCase.Sum:
                return new InstrumentPoints(
                    Instrument(InstrumentType.Sum, metric.Sum.AggregationTemporality == AggregationTemporality.Cumulative),
                    NumberPoints(metric.Sum.DataPoints, rejected));
            case Metric.DataOneofCase.Histogram:
                return new InstrumentPoints(
                    Instrument(InstrumentType.Histogram, metric.Histogram.AggregationTemporality == AggregationTemporality.Cumulative),
                    HistogramPoints(metric.Histogram.DataPoints, rejected));
            case Metric.DataOneofCase.ExponentialHistogram:
                return new InstrumentPoints(
                    Instrument(InstrumentType.Histogram, metric.ExponentialHistogram.AggregationTemporality == AggregationTemporality.Cumulative),
                    ExponentialHistogramPoints(metric.ExponentialHistogram.DataPoints, rejected));
            case Metric.DataOneofCase.Summary:
                rejected.Add(metric.Summary.DataPoints.Count, "summary metrics are not stored");
                return null;
            default:
                return null;
        }
    }

    private List<MetricPoint> NumberPoints(IReadOnlyList<NumberDataPoint> dataPoints, Rejections rejected)
    {
        var points = new List<MetricPoint>(dataPoints.Count);
        foreach (var point in dataPoints)
        {
            if (IsGap(point.Flags))
            {
                continue;
            }

            double? value = point.ValueCase switch
            {
                NumberDataPoint.ValueOneofCase.AsDouble => point.AsDouble,
                NumberDataPoint.ValueOneofCase.AsInt => point.AsInt,
                _ => null,
            };
            if (OtlpValues.FromUnixNanos(point.TimeUnixNano) is not { } time || value is not { } v || !double.IsFinite(v))
            {
                rejected.Add(1, "points need a time and a finite value");
                continue;
            }

            points.Add(new MetricPoint(OtlpValues.FromUnixNanos(point.StartTimeUnixNano) ?? time, time, Attributes(point.Attributes), v, null));
        }

        return points;
    }

    private List<MetricPoint> HistogramPoints(IReadOnlyList<HistogramDataPoint> dataPoints, Rejections rejected)
    {
        var points = new List<MetricPoint>(dataPoints.Count);
        foreach (var point in dataPoints)
        {
            if (IsGap(point.Flags))
            {
                continue;
            }

            // No buckets at all is valid (count and sum only): one bucket holding everything.
            var counts = point.BucketCounts.Count == 0 ? [point.Count] : point.BucketCounts.ToArray();
            var sum = point.HasSum ? point.Sum : 0;
            if (OtlpValues.FromUnixNanos(point.TimeUnixNano) is not { } time
                || counts.Length != point.ExplicitBounds.Count + 1
                || !double.IsFinite(sum)
                || !point.ExplicitBounds.All(double.IsFinite))
            {
                rejected.Add(1, "histogram points need a time, finite bounds and one more bucket count than bounds");
                continue;
            }

            points.Add(new MetricPoint(
                OtlpValues.FromUnixNanos(point.StartTimeUnixNano) ?? time, time, Attributes(point.Attributes), null,
                new HistogramValue(point.Count, sum, point.ExplicitBounds.ToArray(), counts)));
        }

        return points;
    }

    /// <summary>
    /// Explicit bounds from the exponential buckets: positive bucket <c>i</c> covers (base^i, base^(i+1)] with
    /// base = 2^(2^-scale). Zero and negative measurements (rare: durations and sizes are positive) share the first bucket.
    /// </summary>
    private List<MetricPoint> ExponentialHistogramPoints(IReadOnlyList<ExponentialHistogramDataPoint> dataPoints, Rejections rejected)
    {
        var points = new List<MetricPoint>(dataPoints.Count);
        foreach (var point in dataPoints)
        {
            if (IsGap(point.Flags))
            {
                continue;
            }

            var positive = point.Positive?.BucketCounts ?? [];
            var offset = point.Positive?.Offset ?? 0;
            var @base = Math.Pow(2, Math.Pow(2, -point.Scale));
            var bounds = new double[positive.Count + 1];
            for (var i = 0; i < bounds.Length; i++)
            {
                bounds[i] = Math.Pow(@base, offset + i);
            }

            var counts = new ulong[bounds.Length + 1];
            counts[0] = point.ZeroCount + (point.Negative?.BucketCounts.Aggregate(0UL, (total, count) => total + count) ?? 0);
            positive.CopyTo(counts, 1);
            var sum = point.HasSum ? point.Sum : 0;
            if (OtlpValues.FromUnixNanos(point.TimeUnixNano) is not { } time || !double.IsFinite(sum) || !bounds.All(double.IsFinite))
            {
                rejected.Add(1, "exponential histogram points need a time and buckets within double range");
                continue;
            }

            points.Add(new MetricPoint(
                OtlpValues.FromUnixNanos(point.StartTimeUnixNano) ?? time, time, Attributes(point.Attributes), null,
                new HistogramValue(point.Count, sum, bounds, counts)));
        }

        return points;
    }

    private static bool IsGap(uint flags) => (flags & (uint)DataPointFlags.NoRecordedValueMask) != 0;

    private static int PointCount(Metric metric) => metric.DataCase switch
    {
        Metric.DataOneofCase.Gauge => metric.Gauge.DataPoints.Count,
        Metric.DataOneofCase.Sum => metric.Sum.DataPoints.Count,
        Metric.DataOneofCase.Histogram => metric.Histogram.DataPoints.Count,
        Metric.DataOneofCase.ExponentialHistogram => metric.ExponentialHistogram.DataPoints.Count,
        Metric.DataOneofCase.Summary => metric.Summary.DataPoints.Count,
        _ => 0,
    };

    /// <summary>How many points were refused, and the distinct reasons, for the partial success answer.</summary>
    private sealed class Rejections
    {
        private readonly SortedSet<string> _reasons = [];

        public long Count { get; private set; }

        public string? Reasons => _reasons.Count == 0 ? null : string.Join("; ", _reasons);

        public void Add(int count, string reason)
        {
            if (count > 0)
            {
                Count += count;
                _reasons.Add(reason);
            }
        }
    }
}
