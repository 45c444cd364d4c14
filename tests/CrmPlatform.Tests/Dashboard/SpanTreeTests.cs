using CrmPlatform.AppHost.Dashboard;
using CrmPlatform.AppHost.Telemetry;
using Microsoft.Extensions.Options;

namespace CrmPlatform.Tests.Dashboard;

/// <summary>How the trace page lays out a waterfall and names what a span is.</summary>
public sealed class SpanTreeTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Spans_are_laid_out_depth_first_with_children_by_start_and_a_span_whose_parent_is_missing_as_a_root()
    {
        var store = new TelemetryStore(Options.Create(new TelemetryLimits()));
        store.AddSpans(
        [
            Span("gateway", "root", null, 0, 100),
            Span("contacts", "late-child", "root", 50, 40),
            Span("contacts", "grandchild", "late-child", 60, 10),
            Span("gateway", "early-child", "root", 10, 20),
            Span("sales", "orphan", "not-received", 70, 30),
        ]);

        var rows = SpanTree.Rows(store.GetTrace("trace")!);

        Assert.Equal(
            [("root", 0), ("early-child", 1), ("late-child", 1), ("grandchild", 2), ("orphan", 0)],
            rows.Select(r => (r.Span.SpanId, r.Depth)));
        var lateChild = rows.Single(r => r.Span.SpanId == "late-child");
        Assert.Equal(50, lateChild.OffsetPercent, precision: 6);
        Assert.Equal(40, lateChild.WidthPercent, precision: 6);
    }

    [Theory]
    [InlineData(SpanKindName.Client, "db.system.name", "postgresql", "Database (postgresql)")]
    [InlineData(SpanKindName.Client, "db.system", "postgresql", "Database (postgresql)")]
    [InlineData(SpanKindName.Producer, "messaging.system", "rabbitmq", "Messaging (rabbitmq)")]
    [InlineData(SpanKindName.Server, "http.request.method", "GET", "HTTP server")]
    [InlineData(SpanKindName.Client, "http.request.method", "GET", "HTTP client")]
    [InlineData(SpanKindName.Internal, "custom", "value", "Internal")]
    public void A_span_is_named_by_what_it_does(SpanKindName kind, string attribute, string value, string label) =>
        Assert.Equal(label, SpanTree.KindLabel(Span("contacts", "span", null, 0, 1, kind, new Dictionary<string, string> { [attribute] = value })));

    private static SpanData Span(string service, string id, string? parent, int startMs, int durationMs,
        SpanKindName kind = SpanKindName.Internal, IReadOnlyDictionary<string, string>? attributes = null) =>
        new(new TelemetrySource(service, $"{service}-1"), "trace", id, parent, id, kind,
            Start.AddMilliseconds(startMs), Start.AddMilliseconds(startMs + durationMs), SpanStatusCode.Unset, null, "test",
            attributes ?? new Dictionary<string, string>(), [], []);
}
