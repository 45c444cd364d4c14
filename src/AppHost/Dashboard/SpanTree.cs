using CrmPlatform.AppHost.Telemetry;

namespace CrmPlatform.AppHost.Dashboard;

/// <summary>A span in the waterfall: where it sits in the tree and where its bar goes (percentages of the trace's duration).</summary>
public sealed record WaterfallRow(SpanData Span, int Depth, double OffsetPercent, double WidthPercent);

/// <summary>Lays out a trace's spans as a tree (by parent id), depth first, children by start time.</summary>
public static class SpanTree
{
    public static IReadOnlyList<WaterfallRow> Rows(TraceData trace)
    {
        var ids = trace.Spans.Select(s => s.SpanId).ToHashSet();
        // A span whose parent has not arrived (or was never exported) is shown as a root rather than hidden.
        var children = trace.Spans.ToLookup(s => s.ParentSpanId is { } parent && ids.Contains(parent) ? parent : null);
        var total = Math.Max(trace.Duration.TotalMilliseconds, 0.001);
        var rows = new List<WaterfallRow>(trace.Spans.Count);

        void Visit(SpanData span, int depth)
        {
            var offset = (span.Start - trace.Start).TotalMilliseconds / total * 100;
            var width = Math.Max(span.Duration.TotalMilliseconds / total * 100, 0.3);
            rows.Add(new WaterfallRow(span, depth, offset, Math.Min(width, 100 - offset)));
            foreach (var child in children[span.SpanId].OrderBy(s => s.Start))
            {
                Visit(child, depth + 1);
            }
        }

        foreach (var root in children[null].OrderBy(s => s.Start))
        {
            Visit(root, 0);
        }

        return rows;
    }

    /// <summary>What a span is, as people say it: HTTP server, HTTP client, database (postgresql), messaging (rabbitmq)...</summary>
    public static string KindLabel(SpanData span)
    {
        if (Attribute(span, "db.system.name", "db.system") is { } database)
        {
            return $"Database ({database})";
        }

        if (Attribute(span, "messaging.system") is { } messaging)
        {
            return $"Messaging ({messaging})";
        }

        var http = Attribute(span, "http.request.method", "http.method") is not null;
        return (span.Kind, http) switch
        {
            (SpanKindName.Server, true) => "HTTP server",
            (SpanKindName.Client, true) => "HTTP client",
            (SpanKindName.Unspecified, _) => "Span",
            _ => span.Kind.ToString(),
        };
    }

    private static string? Attribute(SpanData span, params string[] keys) =>
        keys.Select(key => span.Attributes.GetValueOrDefault(key)).FirstOrDefault(value => !string.IsNullOrEmpty(value));
}
