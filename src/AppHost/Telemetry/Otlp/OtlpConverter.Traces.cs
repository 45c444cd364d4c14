using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Collector.Trace.V1;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Trace.V1;
using Google.Protobuf;
using ProtoSpan = CrmPlatform.AppHost.Telemetry.Otlp.Proto.Trace.V1.Span;

namespace CrmPlatform.AppHost.Telemetry.Otlp;

public sealed partial class OtlpConverter
{
    /// <summary>Spans without a valid trace id, span id or start time are rejected (partial success); the rest are kept.</summary>
    public OtlpBatch<SpanData> ConvertSpans(ExportTraceServiceRequest request)
    {
        var spans = new List<SpanData>();
        var resources = new List<OtlpResource>(request.ResourceSpans.Count);
        long rejected = 0;
        // Spans of one trace usually arrive together: they share one id string.
        var lastTraceId = (Bytes: ByteString.Empty, Hex: string.Empty);
        foreach (var resourceSpans in request.ResourceSpans)
        {
            var resource = ResourceOf(resourceSpans.Resource);
            resources.Add(resource);
            foreach (var scopeSpans in resourceSpans.ScopeSpans)
            {
                var scope = Share(scopeSpans.Scope?.Name ?? string.Empty);
                foreach (var span in scopeSpans.Spans)
                {
                    if (span.TraceId != lastTraceId.Bytes)
                    {
                        lastTraceId = (span.TraceId, OtlpValues.ToHexId(span.TraceId, 16) ?? string.Empty);
                    }

                    var spanId = OtlpValues.ToHexId(span.SpanId, 8);
                    var start = OtlpValues.FromUnixNanos(span.StartTimeUnixNano);
                    if (lastTraceId.Hex.Length == 0 || spanId is null || start is null)
                    {
                        rejected++;
                        continue;
                    }

                    spans.Add(ConvertSpan(resource.Source, scope, lastTraceId.Hex, spanId, start.Value, span));
                }
            }
        }

        return Batch(spans, resources, rejected, "spans need a 16-byte trace id, an 8-byte span id (not all zeros) and a start time");
    }

    private SpanData ConvertSpan(TelemetrySource source, string scope, string traceId, string spanId, DateTimeOffset start, ProtoSpan span)
    {
        // An end before the start (or none) would show a negative duration: the span is shown as instantaneous.
        var end = OtlpValues.FromUnixNanos(span.EndTimeUnixNano) is { } e && e >= start ? e : start;
        return new SpanData(
            source,
            traceId,
            spanId,
            OtlpValues.ToHexId(span.ParentSpanId, 8),
            Share(span.Name),
            KindOf(span.Kind),
            start,
            end,
            StatusOf(span.Status?.Code ?? Status.Types.StatusCode.Unset),
            span.Status?.Message is { Length: > 0 } message ? message : null,
            scope,
            Attributes(span.Attributes),
            Events(span),
            Links(span));
    }

    private IReadOnlyList<SpanEventData> Events(ProtoSpan span)
    {
        if (span.Events.Count == 0)
        {
            return [];
        }

        var events = new List<SpanEventData>(Math.Min(span.Events.Count, _limits.MaxSpanEventCount));
        foreach (var spanEvent in span.Events.Take(_limits.MaxSpanEventCount))
        {
            events.Add(new SpanEventData(
                Share(spanEvent.Name),
                OtlpValues.FromUnixNanos(spanEvent.TimeUnixNano) ?? default,
                Attributes(spanEvent.Attributes)));
        }

        return events;
    }

    private IReadOnlyList<SpanLinkData> Links(ProtoSpan span)
    {
        if (span.Links.Count == 0)
        {
            return [];
        }

        var links = new List<SpanLinkData>(span.Links.Count);
        foreach (var link in span.Links)
        {
            if (OtlpValues.ToHexId(link.TraceId, 16) is { } traceId && OtlpValues.ToHexId(link.SpanId, 8) is { } spanId)
            {
                links.Add(new SpanLinkData(traceId, spanId, Attributes(link.Attributes)));
            }
        }

        return links;
    }

    private static SpanKindName KindOf(ProtoSpan.Types.SpanKind kind) => kind switch
    {
        ProtoSpan.Types.SpanKind.Internal => SpanKindName.Internal,
        ProtoSpan.Types.SpanKind.Server => SpanKindName.Server,
        ProtoSpan.Types.SpanKind.Client => SpanKindName.Client,
        ProtoSpan.Types.SpanKind.Producer => SpanKindName.Producer,
        ProtoSpan.Types.SpanKind.Consumer => SpanKindName.Consumer,
        _ => SpanKindName.Unspecified,
    };

    private static SpanStatusCode StatusOf(Status.Types.StatusCode code) => code switch
    {
        Status.Types.StatusCode.Ok => SpanStatusCode.Ok,
        Status.Types.StatusCode.Error => SpanStatusCode.Error,
        _ => SpanStatusCode.Unset,
    };
}
