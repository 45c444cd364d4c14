using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Collector.Logs.V1;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Collector.Metrics.V1;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Collector.Trace.V1;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Common.V1;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Logs.V1;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Metrics.V1;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Resource.V1;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Trace.V1;
using Google.Protobuf;

/// <summary>
/// Export requests shaped like our services' (ASP.NET Core, HttpClient and Npgsql spans): about ten attributes per
/// span, batches of 512 (the SDK's default batch), traces of <see cref="SpansPerTrace"/> spans, unique ids everywhere.
/// </summary>
internal static class Workload
{
    public const int BatchSize = 512;
    public const int SpansPerTrace = 10;
    private static readonly string[] Services = ["contacts", "sales", "marketing", "service"];
    private static readonly string[] Routes = ["/api/v1/people/{id}", "/api/v1/opportunities", "/api/v1/organizations/{id}", "/api/v1/cases"];
    private static long _sequence;

    public static ExportTraceServiceRequest Traces(int batch)
    {
        var service = Services[batch % Services.Length];
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "Microsoft.AspNetCore", Version = "10.0.0" } };
        var start = DateTimeOffset.UtcNow;
        for (var i = 0; i < BatchSize; i += SpansPerTrace)
        {
            var traceId = Id(16);
            var rootId = Id(8);
            for (var s = 0; s < SpansPerTrace && i + s < BatchSize; s++)
            {
                var route = Routes[(i + s) % Routes.Length];
                var span = new Span
                {
                    TraceId = traceId,
                    SpanId = s == 0 ? rootId : Id(8),
                    ParentSpanId = s == 0 ? ByteString.Empty : rootId,
                    Name = s == 0 ? $"GET {route}" : s % 2 == 0 ? "SELECT contactsdb" : $"GET {route}",
                    Kind = s == 0 ? Span.Types.SpanKind.Server : Span.Types.SpanKind.Client,
                    StartTimeUnixNano = Nanos(start.AddMilliseconds(s)),
                    EndTimeUnixNano = Nanos(start.AddMilliseconds(s + 3.5)),
                    Status = new Status { Code = s == 7 ? Status.Types.StatusCode.Error : Status.Types.StatusCode.Unset },
                    Attributes =
                    {
                        Text("http.request.method", "GET"),
                        Text("url.path", route.Replace("{id}", Guid.NewGuid().ToString())),
                        Text("http.route", route),
                        Number("http.response.status_code", s == 7 ? 500 : 200),
                        Text("server.address", "localhost"),
                        Number("server.port", 5101),
                        Text("network.protocol.version", "1.1"),
                        Text("url.scheme", "http"),
                        Text("user_agent.original", "CrmPlatform.Gateway/1.0 (+https://example.com/crm) YARP/2.1"),
                        Text("tenant.id", $"tenant-{i % 7}"),
                    },
                };
                scope.Spans.Add(span);
            }
        }

        return new ExportTraceServiceRequest { ResourceSpans = { new ResourceSpans { Resource = Resource(service), ScopeSpans = { scope } } } };
    }

    public static ExportLogsServiceRequest Logs(int count)
    {
        var scope = new ScopeLogs { Scope = new InstrumentationScope { Name = "CrmPlatform.Contacts.People" } };
        for (var i = 0; i < count; i++)
        {
            scope.LogRecords.Add(new LogRecord
            {
                TimeUnixNano = Nanos(DateTimeOffset.UtcNow),
                SeverityNumber = SeverityNumber.Info,
                SeverityText = "Information",
                Body = new AnyValue { StringValue = $"Person {Guid.NewGuid()} updated by client crm-admin in tenant default ({i} changes)" },
                TraceId = Id(16),
                SpanId = Id(8),
                Attributes = { Text("PersonId", Guid.NewGuid().ToString()), Text("ClientId", "crm-admin"), Number("Changes", i % 9), Text("TenantId", "default"), Text("{OriginalFormat}", "Person {PersonId} updated by client {ClientId} in tenant {TenantId} ({Changes} changes)") },
            });
        }

        return new ExportLogsServiceRequest { ResourceLogs = { new ResourceLogs { Resource = Resource("contacts"), ScopeLogs = { scope } } } };
    }

    /// <summary>One export of 50 instruments (10 duration histograms, 40 counters), one point each, as a 1 s metric interval sends.</summary>
    public static ExportMetricsServiceRequest Metrics(int export)
    {
        var scope = new ScopeMetrics { Scope = new InstrumentationScope { Name = "Microsoft.AspNetCore.Hosting" } };
        var time = Nanos(DateTimeOffset.UtcNow.AddSeconds(export));
        double[] bounds = [0, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
        for (var m = 0; m < 50; m++)
        {
            var dimensions = new[] { Text("http.route", Routes[m % Routes.Length]), Text("http.request.method", "GET"), Number("http.response.status_code", 200) };
            var metric = new Metric { Name = $"http.server.instrument.{m}", Unit = m < 10 ? "s" : "{request}" };
            if (m < 10)
            {
                var point = new HistogramDataPoint { StartTimeUnixNano = Nanos(DateTimeOffset.UtcNow), TimeUnixNano = time, Count = 100, Sum = 1.5, ExplicitBounds = { bounds }, Attributes = { dimensions } };
                point.BucketCounts.AddRange(Enumerable.Range(0, bounds.Length + 1).Select(b => (ulong)b));
                metric.Histogram = new Histogram { AggregationTemporality = AggregationTemporality.Cumulative, DataPoints = { point } };
            }
            else
            {
                metric.Sum = new Sum
                {
                    AggregationTemporality = AggregationTemporality.Cumulative,
                    IsMonotonic = true,
                    DataPoints = { new NumberDataPoint { StartTimeUnixNano = Nanos(DateTimeOffset.UtcNow), TimeUnixNano = time, AsInt = export * 10 + m, Attributes = { dimensions } } },
                };
            }

            scope.Metrics.Add(metric);
        }

        return new ExportMetricsServiceRequest { ResourceMetrics = { new ResourceMetrics { Resource = Resource("contacts"), ScopeMetrics = { scope } } } };
    }

    private static Resource Resource(string service) => new()
    {
        Attributes =
        {
            Text("service.name", service), Text("service.instance.id", $"{service}-1"), Text("telemetry.sdk.name", "opentelemetry"),
            Text("telemetry.sdk.language", "dotnet"), Text("telemetry.sdk.version", "1.20.1"),
        },
    };

    /// <summary>Unique and never all zeros.</summary>
    private static ByteString Id(int length)
    {
        var bytes = new byte[length];
        BitConverter.TryWriteBytes(bytes, Interlocked.Increment(ref _sequence));
        if (length > 8)
        {
            Random.Shared.NextBytes(bytes.AsSpan(8));
        }

        return ByteString.CopyFrom(bytes);
    }

    private static ulong Nanos(DateTimeOffset time) => (ulong)(time - DateTimeOffset.UnixEpoch).Ticks * 100;

    private static KeyValue Text(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    private static KeyValue Number(string key, long value) => new() { Key = key, Value = new AnyValue { IntValue = value } };
}
