using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Collector.Logs.V1;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Collector.Metrics.V1;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Collector.Trace.V1;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Common.V1;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Logs.V1;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Metrics.V1;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Resource.V1;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Trace.V1;
using Google.Protobuf;

namespace CrmPlatform.Tests.Telemetry;

/// <summary>Hand-built OTLP export requests (protobuf messages), for what the SDK's exporter cannot be made to send.</summary>
public static class OtlpRequests
{
    public static readonly DateTimeOffset Now = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    public static ulong UnixNanos(DateTimeOffset time) => (ulong)(time - DateTimeOffset.UnixEpoch).Ticks * 100;

    public static string NewTraceId() => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());

    public static string NewSpanId() => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..8]);

    public static Resource ResourceOf(string service) => new()
    {
        Attributes = { Attribute("service.name", service), Attribute("service.instance.id", $"{service}-1") },
    };

    public static KeyValue Attribute(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    public static Span NewSpan(string traceId, string name, string? parentSpanId = null, int offsetMs = 0, params KeyValue[] attributes)
    {
        var span = new Span
        {
            TraceId = ByteString.CopyFrom(Convert.FromHexString(traceId)),
            SpanId = ByteString.CopyFrom(Convert.FromHexString(NewSpanId())),
            Name = name,
            Kind = Span.Types.SpanKind.Server,
            StartTimeUnixNano = UnixNanos(Now.AddMilliseconds(offsetMs)),
            EndTimeUnixNano = UnixNanos(Now.AddMilliseconds(offsetMs + 5)),
            Attributes = { attributes },
        };
        if (parentSpanId is not null)
        {
            span.ParentSpanId = ByteString.CopyFrom(Convert.FromHexString(parentSpanId));
        }

        return span;
    }

    public static ExportTraceServiceRequest Traces(string service, params Span[] spans) => new()
    {
        ResourceSpans = { new ResourceSpans { Resource = ResourceOf(service), ScopeSpans = { new ScopeSpans { Scope = new InstrumentationScope { Name = "tests" }, Spans = { spans } } } } },
    };

    public static LogRecord NewLog(string message, SeverityNumber severity = SeverityNumber.Info, int offsetMs = 0, params KeyValue[] attributes) => new()
    {
        TimeUnixNano = UnixNanos(Now.AddMilliseconds(offsetMs)),
        SeverityNumber = severity,
        Body = new AnyValue { StringValue = message },
        Attributes = { attributes },
    };

    public static ExportLogsServiceRequest Logs(string service, params LogRecord[] records) => new()
    {
        ResourceLogs = { new ResourceLogs { Resource = ResourceOf(service), ScopeLogs = { new ScopeLogs { Scope = new InstrumentationScope { Name = "Tests.Category" }, LogRecords = { records } } } } },
    };

    public static ExportMetricsServiceRequest Gauge(string service, string meter, string name, params double[] values) => new()
    {
        ResourceMetrics =
        {
            new ResourceMetrics
            {
                Resource = ResourceOf(service),
                ScopeMetrics =
                {
                    new ScopeMetrics
                    {
                        Scope = new InstrumentationScope { Name = meter },
                        Metrics =
                        {
                            new Metric
                            {
                                Name = name,
                                Gauge = new Gauge
                                {
                                    DataPoints = { values.Select((value, i) => new NumberDataPoint { TimeUnixNano = UnixNanos(Now.AddSeconds(i)), AsDouble = value }) },
                                },
                            },
                        },
                    },
                },
            },
        },
    };
}
