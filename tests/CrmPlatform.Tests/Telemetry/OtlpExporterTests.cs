using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using CrmPlatform.AppHost.Testing;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CrmPlatform.Tests.Telemetry;

/// <summary>
/// The OpenTelemetry .NET SDK's own OTLP exporter (what every service uses) sends traces, logs and metrics to the
/// receiver, over gRPC and over HTTP/protobuf; everything is read back through <c>/api/telemetry</c>.
/// </summary>
public sealed class OtlpExporterTests : IAsyncLifetime
{
    private const string ApiKey = "exporter-key";
    private TelemetryReceiverHost _host = null!;
    private HttpClient _api = null!;

    public async Task InitializeAsync()
    {
        _host = await TelemetryReceiverHost.StartAsync(ApiKey);
        _api = _host.CreateApiClient();
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public Task Grpc_exporter_delivers_traces_logs_and_metrics() =>
        ExportAndReadBackAsync(OtlpExportProtocol.Grpc, _ => _host.OtlpGrpcUrl, includeFormattedMessage: true);

    [Fact]
    public Task Http_protobuf_exporter_delivers_traces_logs_and_metrics() =>
        // Without the formatted message the SDK sends the template as the body: the receiver fills it in.
        ExportAndReadBackAsync(OtlpExportProtocol.HttpProtobuf, signal => new Uri(_host.OtlpHttpUrl, $"/v1/{signal}"), includeFormattedMessage: false);

    private async Task ExportAndReadBackAsync(OtlpExportProtocol protocol, Func<string, Uri> endpoint, bool includeFormattedMessage)
    {
        var service = $"orders-{protocol}".ToLowerInvariant();
        // Sources and meters are process-wide: unique names keep parallel tests from exporting each other's telemetry.
        var sourceName = $"Tests.Orders.{Guid.NewGuid():N}";
        void Configure(OtlpExporterOptions otlp, string signal)
        {
            otlp.Protocol = protocol;
            otlp.Endpoint = endpoint(signal);
            otlp.Headers = $"x-otlp-api-key={ApiKey}";
        }

        var resource = ResourceBuilder.CreateDefault().AddService(service, serviceInstanceId: $"{service}-7");
        string traceId;
        using (var tracing = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddSource(sourceName)
            .AddOtlpExporter(otlp => Configure(otlp, "traces")).Build())
        using (var logging = LoggerFactory.Create(logs => logs.AddOpenTelemetry(otel =>
        {
            otel.SetResourceBuilder(resource);
            otel.IncludeFormattedMessage = includeFormattedMessage;
            otel.AddOtlpExporter(otlp => Configure(otlp, "logs"));
        })))
        using (var meter = new Meter(sourceName))
        using (var metrics = Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource).AddMeter(sourceName)
            .AddOtlpExporter(otlp => Configure(otlp, "metrics")).Build())
        {
            using var source = new ActivitySource(sourceName);
            var logger = logging.CreateLogger("Orders.Checkout");
            using (var request = source.StartActivity("POST /orders", ActivityKind.Server))
            {
                Assert.NotNull(request);
                traceId = request.TraceId.ToHexString();
                request.SetTag("http.request.method", "POST");
                request.SetTag("order.lines", 3);
                using (var query = source.StartActivity("INSERT orders", ActivityKind.Client))
                {
                    query!.SetTag("db.system", "postgresql");
                    query.AddEvent(new ActivityEvent("retry", tags: new ActivityTagsCollection { ["attempt"] = 2 }));
                    query.SetStatus(ActivityStatusCode.Error, "deadlock detected");
                }

                logger.LogWarning("Order {OrderId} failed for {Customer}", 42, "ada");
            }

            var placed = meter.CreateCounter<long>("orders.placed", unit: "{order}", description: "Orders placed");
            placed.Add(3, new KeyValuePair<string, object?>("region", "eu"));
            placed.Add(2, new KeyValuePair<string, object?>("region", "eu"));
            var duration = meter.CreateHistogram<double>("orders.duration", unit: "ms");
            duration.Record(12.5);
            duration.Record(30);

            Assert.True(tracing.ForceFlush(10_000), "traces exported");
            Assert.True(metrics.ForceFlush(10_000), "metrics exported");
        } // disposing the logger factory flushes the logs

        // The trace: both spans, parent link, kind, attributes, event, error status.
        var traces = await _api.GetJsonAsync($"/api/telemetry/traces?service={service}");
        var summary = Assert.Single(traces.Body.GetProperty("traces").EnumerateArray());
        Assert.Equal(traceId, summary.Str("traceId"));
        Assert.Equal("POST /orders", summary.Str("rootName"));
        Assert.Equal(2, summary.GetProperty("spanCount").GetInt32());
        Assert.True(summary.GetProperty("hasError").GetBoolean());
        Assert.Equal([service], summary.GetProperty("services").EnumerateArray().Select(s => s.GetString()));

        var trace = await _api.GetJsonAsync($"/api/telemetry/traces/{traceId}");
        var spans = trace.Body.GetProperty("spans").EnumerateArray().ToList();
        var root = spans.Single(s => s.Str("name") == "POST /orders");
        var child = spans.Single(s => s.Str("name") == "INSERT orders");
        Assert.Equal(JsonValueKind.Null, root.GetProperty("parentSpanId").ValueKind);
        Assert.Equal(root.Str("spanId"), child.Str("parentSpanId"));
        Assert.Equal("Server", root.Str("kind"));
        Assert.Equal("Client", child.Str("kind"));
        Assert.Equal($"{service}-7", root.Str("instanceId"));
        Assert.Equal(sourceName, root.Str("scope"));
        Assert.Equal("POST", root.GetProperty("attributes").Str("http.request.method"));
        Assert.Equal("3", root.GetProperty("attributes").Str("order.lines"));
        Assert.Equal("Error", child.Str("status"));
        Assert.Equal("deadlock detected", child.Str("statusMessage"));
        var retry = Assert.Single(child.GetProperty("events").EnumerateArray());
        Assert.Equal("retry", retry.Str("name"));
        Assert.Equal("2", retry.GetProperty("attributes").Str("attempt"));

        // The log: level, formatted message, category, attributes, and the trace it was written in.
        var logs = await _api.GetJsonAsync($"/api/telemetry/logs?service={service}&level=warning");
        var log = Assert.Single(logs.Body.GetProperty("logs").EnumerateArray());
        Assert.Equal("Warning", log.Str("level"));
        Assert.Equal("Order 42 failed for ada", log.Str("message"));
        Assert.Equal("Orders.Checkout", log.Str("category"));
        Assert.Equal("42", log.GetProperty("attributes").Str("OrderId"));
        Assert.Equal(traceId, log.Str("traceId"));
        var byAttribute = await _api.GetJsonAsync($"/api/telemetry/logs?attr.Customer=ada&traceId={traceId}");
        Assert.Single(byAttribute.Body.GetProperty("logs").EnumerateArray());

        // The metrics: a cumulative sum of 5 for region=eu, and a histogram of two measurements.
        var instruments = (await _api.GetJsonAsync($"/api/telemetry/metrics?service={service}")).Body.GetProperty("instruments").EnumerateArray().ToList();
        var counter = instruments.Single(i => i.Str("name") == "orders.placed");
        Assert.Equal("Sum", counter.Str("type"));
        Assert.True(counter.GetProperty("isCumulative").GetBoolean());
        Assert.Equal("{order}", counter.Str("unit"));
        Assert.Equal("Orders placed", counter.Str("description"));
        Assert.Equal(sourceName, counter.Str("meter"));

        var counterPoints = await _api.GetJsonAsync($"/api/telemetry/metrics/{service}/{sourceName}/orders.placed");
        var point = counterPoints.Body.GetProperty("points").EnumerateArray().Last();
        Assert.Equal(5, point.GetProperty("value").GetDouble());
        Assert.Equal("eu", point.GetProperty("dimensions").Str("region"));

        var histogramPoints = await _api.GetJsonAsync($"/api/telemetry/metrics/{service}/{sourceName}/orders.duration");
        var histogram = histogramPoints.Body.GetProperty("points").EnumerateArray().Last().GetProperty("histogram");
        Assert.Equal(2UL, histogram.GetProperty("count").GetUInt64());
        Assert.Equal(42.5, histogram.GetProperty("sum").GetDouble());
        Assert.Equal(histogram.GetProperty("bounds").GetArrayLength() + 1, histogram.GetProperty("counts").GetArrayLength());

        // The sender, with its resource attributes and what the store holds of it.
        var resources = await _api.GetJsonAsync("/api/telemetry/resources");
        var sender = resources.Body.GetProperty("resources").EnumerateArray().Single(r => r.Str("serviceName") == service);
        Assert.Equal($"{service}-7", sender.Str("instanceId"));
        Assert.Equal("opentelemetry", sender.GetProperty("attributes").Str("telemetry.sdk.name"));
        Assert.Equal(2, sender.GetProperty("spanCount").GetInt32());
        Assert.Equal(1, sender.GetProperty("logCount").GetInt32());
        Assert.Equal(2, sender.GetProperty("instrumentCount").GetInt32());
        Assert.Equal(0, resources.Body.GetProperty("store").GetProperty("evicted").GetProperty("logs").GetInt64());
    }
}
