using System.Net;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Collector.Metrics.V1;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Metrics.V1;
using CrmPlatform.AppHost.Testing;
using CrmPlatform.Tests.Infrastructure;
using Google.Protobuf;
using static CrmPlatform.Tests.Telemetry.OtlpRequests;

namespace CrmPlatform.Tests.Telemetry;

/// <summary>The metric kinds other SDKs send: exponential histograms are kept as explicit buckets, summaries refused, gaps skipped.</summary>
public sealed class OtlpMetricTypesTests : IAsyncLifetime
{
    private TelemetryReceiverHost _host = null!;

    public async Task InitializeAsync() => _host = await TelemetryReceiverHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Exponential_histograms_become_bucketed_histograms_and_what_cannot_be_stored_is_a_partial_success()
    {
        var time = UnixNanos(Now);
        var request = Gauge("metric-kinds", "Kinds", "temperature", 21.5);
        var metrics = request.ResourceMetrics[0].ScopeMetrics[0].Metrics;
        metrics[0].Gauge.DataPoints.Add(new NumberDataPoint { TimeUnixNano = time + 1, AsDouble = double.NaN });
        metrics[0].Gauge.DataPoints.Add(new NumberDataPoint { TimeUnixNano = time + 2, Flags = (uint)DataPointFlags.NoRecordedValueMask });
        // Scale 0: base 2, so bucket i covers (2^i, 2^(i+1)]; offset 1 starts at (2, 4].
        var exponential = new ExponentialHistogramDataPoint
        {
            TimeUnixNano = time, Count = 9, Sum = 30, Scale = 0, ZeroCount = 1,
            Positive = new ExponentialHistogramDataPoint.Types.Buckets { Offset = 1, BucketCounts = { 3, 4 } },
            Negative = new ExponentialHistogramDataPoint.Types.Buckets { Offset = 0, BucketCounts = { 1 } },
        };
        metrics.Add(new Metric
        {
            Name = "latency", Unit = "ms",
            ExponentialHistogram = new ExponentialHistogram { AggregationTemporality = AggregationTemporality.Delta, DataPoints = { exponential } },
        });
        metrics.Add(new Metric { Name = "quantiles", Summary = new Summary { DataPoints = { new SummaryDataPoint { TimeUnixNano = time, Count = 1, Sum = 1 } } } });

        using var otlp = new HttpClient { BaseAddress = _host.OtlpHttpUrl };
        var content = new ByteArrayContent(request.ToByteArray());
        content.Headers.ContentType = new("application/x-protobuf");
        using var response = await otlp.PostAsync("/v1/metrics", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = ExportMetricsServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(2, answer.PartialSuccess.RejectedDataPoints); // the NaN and the summary point; the gap is no value at all
        Assert.Contains("summary", answer.PartialSuccess.ErrorMessage);

        using var api = _host.CreateApiClient();
        var gauge = (await api.GetJsonAsync("/api/telemetry/metrics/metric-kinds/Kinds/temperature")).Body;
        Assert.Equal([21.5], gauge.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("value").GetDouble()));

        var latency = (await api.GetJsonAsync("/api/telemetry/metrics/metric-kinds/Kinds/latency")).Body;
        Assert.Equal("Histogram", latency.GetProperty("instruments")[0].Str("type"));
        Assert.False(latency.GetProperty("instruments")[0].GetProperty("isCumulative").GetBoolean());
        var histogram = latency.GetProperty("points")[0].GetProperty("histogram");
        Assert.Equal(9UL, histogram.GetProperty("count").GetUInt64());
        Assert.Equal([2.0, 4.0, 8.0], histogram.GetProperty("bounds").EnumerateArray().Select(b => b.GetDouble()));
        // Zero and negative measurements in the first bucket, then the two positive buckets, and an empty overflow.
        Assert.Equal([2UL, 3UL, 4UL, 0UL], histogram.GetProperty("counts").EnumerateArray().Select(c => c.GetUInt64()));

        Assert.Equal(HttpStatusCode.NotFound, (await api.GetJsonAsync("/api/telemetry/metrics/metric-kinds/Kinds/quantiles")).Status);
    }
}
