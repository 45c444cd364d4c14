using System.Net;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Logs.V1;
using CrmPlatform.AppHost.Testing;
using CrmPlatform.Tests.Infrastructure;
using Google.Protobuf;
using static CrmPlatform.Tests.Telemetry.OtlpRequests;

namespace CrmPlatform.Tests.Telemetry;

/// <summary>A full store drops its oldest records first and says how many it dropped.</summary>
public sealed class TelemetryLimitsTests : IAsyncLifetime
{
    private TelemetryReceiverHost _host = null!;
    private HttpClient _otlp = null!;
    private HttpClient _api = null!;

    public async Task InitializeAsync()
    {
        _host = await TelemetryReceiverHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Telemetry:MaxLogCount"] = "5",
            ["Telemetry:MaxTraceCount"] = "3",
            ["Telemetry:MaxMetricPointsPerSource"] = "10",
            ["Telemetry:MaxAttributeCount"] = "2",
            ["Telemetry:MaxAttributeLength"] = "4",
            ["Telemetry:MaxSpanEventCount"] = "1",
        });
        _otlp = new HttpClient { BaseAddress = _host.OtlpHttpUrl };
        _api = _host.CreateApiClient();
    }

    public async Task DisposeAsync()
    {
        _otlp.Dispose();
        _api.Dispose();
        await _host.DisposeAsync();
    }

    private async Task PostAsync(string path, IMessage request)
    {
        var content = new ByteArrayContent(request.ToByteArray());
        content.Headers.ContentType = new("application/x-protobuf");
        Assert.Equal(HttpStatusCode.OK, (await _otlp.PostAsync(path, content)).StatusCode);
    }

    [Fact]
    public async Task Oldest_logs_traces_and_points_are_evicted_and_counted()
    {
        await PostAsync("/v1/logs", Logs("limited", [.. Enumerable.Range(1, 8).Select(i => NewLog($"log {i}", offsetMs: i))]));
        var traceIds = Enumerable.Range(1, 5).Select(_ => NewTraceId()).ToList();
        foreach (var traceId in traceIds)
        {
            await PostAsync("/v1/traces", Traces("limited", NewSpan(traceId, "work")));
        }

        await PostAsync("/v1/metrics", Gauge("limited", "Limits", "level", [.. Enumerable.Range(1, 15).Select(i => (double)i)]));

        var logs = (await _api.GetJsonAsync("/api/telemetry/logs?service=limited")).Body;
        Assert.Equal(["log 8", "log 7", "log 6", "log 5", "log 4"], logs.GetProperty("logs").EnumerateArray().Select(l => l.Str("message")));
        Assert.Equal(5, logs.GetProperty("storedCount").GetInt32());
        Assert.Equal(3, logs.GetProperty("store").GetProperty("evicted").GetProperty("logs").GetInt64());
        Assert.Equal(5, logs.GetProperty("store").GetProperty("limits").GetProperty("maxLogCount").GetInt32());

        var traces = (await _api.GetJsonAsync("/api/telemetry/traces")).Body;
        Assert.Equal(traceIds[2..].Order(), traces.GetProperty("traces").EnumerateArray().Select(t => t.Str("traceId")).Order());
        Assert.Equal(2, traces.GetProperty("store").GetProperty("evicted").GetProperty("traces").GetInt64());
        Assert.Equal(HttpStatusCode.NotFound, (await _api.GetJsonAsync($"/api/telemetry/traces/{traceIds[0]}")).Status);

        var points = (await _api.GetJsonAsync("/api/telemetry/metrics/limited/Limits/level")).Body;
        Assert.Equal(Enumerable.Range(6, 10).Select(i => (double)i), points.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("value").GetDouble()));
        Assert.Equal(5, points.GetProperty("store").GetProperty("evicted").GetProperty("metricPoints").GetInt64());

        // More arrives: the counts keep rising, so a script polling a full store sees it is not frozen.
        await PostAsync("/v1/logs", Logs("limited", NewLog("log 9")));
        var resources = (await _api.GetJsonAsync("/api/telemetry/resources")).Body;
        Assert.Equal(4, resources.GetProperty("store").GetProperty("evicted").GetProperty("logs").GetInt64());
        var source = resources.GetProperty("resources")[0];
        Assert.Equal(5, source.GetProperty("logCount").GetInt32());
        Assert.Equal(3, source.GetProperty("traceCount").GetInt32());
        Assert.Equal(10, source.GetProperty("metricPointCount").GetInt32());
    }

    [Fact]
    public async Task Attributes_and_events_beyond_the_limits_are_cut()
    {
        var traceId = NewTraceId();
        var span = NewSpan(traceId, "cut", attributes: [Attribute("first", "123456"), Attribute("second", "ab"), Attribute("third", "dropped")]);
        span.Events.Add(new AppHost.Telemetry.Otlp.Proto.Trace.V1.Span.Types.Event { Name = "kept", TimeUnixNano = UnixNanos(Now) });
        span.Events.Add(new AppHost.Telemetry.Otlp.Proto.Trace.V1.Span.Types.Event { Name = "dropped", TimeUnixNano = UnixNanos(Now) });
        await PostAsync("/v1/traces", Traces("cutter", span));

        var stored = (await _api.GetJsonAsync($"/api/telemetry/traces/{traceId}")).Body.GetProperty("spans")[0];
        Assert.Equal(
            new Dictionary<string, string> { ["first"] = "1234", ["second"] = "ab" },
            stored.GetProperty("attributes").EnumerateObject().ToDictionary(a => a.Name, a => a.Value.GetString()!));
        Assert.Equal(["kept"], stored.GetProperty("events").EnumerateArray().Select(e => e.Str("name")));
    }

    [Fact]
    public async Task Log_with_severity_text_only_gets_its_level()
    {
        var record = NewLog("disk almost full", SeverityNumber.Unspecified);
        record.SeverityText = "WARN";
        await PostAsync("/v1/logs", Logs("severity-text", record));

        var log = (await _api.GetJsonAsync("/api/telemetry/logs?service=severity-text")).Body.GetProperty("logs")[0];
        Assert.Equal("Warning", log.Str("level"));
    }
}
