namespace CrmPlatform.AppHost.Telemetry.Api;

// What /api/telemetry answers: flat records (service name and instance beside each record rather than nested), durations
// in milliseconds, so scripts can read them with jq without knowing the store's types.

/// <summary>Every list says what the limits are and what they have dropped, so a script sees when the store is full.</summary>
public sealed record StoreState(TelemetryLimits Limits, EvictionCounts Evicted);

public sealed record ResourcesAnswer(StoreState Store, IReadOnlyList<ResourceDto> Resources);

public sealed record ResourceDto(
    string ServiceName, string InstanceId, IReadOnlyDictionary<string, string> Attributes,
    int LogCount, int SpanCount, int TraceCount, int InstrumentCount, int MetricPointCount)
{
    public static ResourceDto From(SourceSummary summary) => new(
        summary.Source.ServiceName, summary.Source.InstanceId, summary.Attributes,
        summary.LogCount, summary.SpanCount, summary.TraceCount, summary.InstrumentCount, summary.MetricPointCount);
}

public sealed record LogsAnswer(StoreState Store, int StoredCount, IReadOnlyList<LogDto> Logs);

public sealed record LogDto(
    long Sequence, DateTimeOffset Timestamp, string ServiceName, string InstanceId, LogLevelName Level, string Message,
    string? Category, string? TraceId, string? SpanId, IReadOnlyDictionary<string, string> Attributes)
{
    public static LogDto From(LogRecordData log) => new(
        log.Sequence, log.Timestamp, log.Source.ServiceName, log.Source.InstanceId, log.Level, log.Message,
        log.Category, log.TraceId, log.SpanId, log.Attributes);
}

public sealed record TracesAnswer(StoreState Store, int StoredCount, IReadOnlyList<TraceSummaryDto> Traces);

public sealed record TraceSummaryDto(
    string TraceId, string? RootName, string? RootService, DateTimeOffset Start, double DurationMs, int SpanCount,
    IReadOnlyList<string> Services, bool HasError)
{
    public static TraceSummaryDto From(TraceData trace) => new(
        trace.TraceId, trace.Root?.Name, trace.Root?.Source.ServiceName, trace.Start, trace.Duration.TotalMilliseconds,
        trace.Spans.Count, trace.Services, trace.HasError);
}

public sealed record TraceDto(
    string TraceId, string? RootName, DateTimeOffset Start, DateTimeOffset End, double DurationMs, int SpanCount,
    IReadOnlyList<string> Services, bool HasError, IReadOnlyList<SpanDto> Spans)
{
    public static TraceDto From(TraceData trace) => new(
        trace.TraceId, trace.Root?.Name, trace.Start, trace.End, trace.Duration.TotalMilliseconds, trace.Spans.Count,
        trace.Services, trace.HasError, [.. trace.Spans.Select(SpanDto.From)]);
}

public sealed record SpansAnswer(StoreState Store, IReadOnlyList<SpanDto> Spans);

public sealed record SpanDto(
    string TraceId, string SpanId, string? ParentSpanId, string Name, SpanKindName Kind, string ServiceName, string InstanceId,
    string Scope, DateTimeOffset Start, DateTimeOffset End, double DurationMs, SpanStatusCode Status, string? StatusMessage,
    bool HasError, IReadOnlyDictionary<string, string> Attributes, IReadOnlyList<SpanEventData> Events, IReadOnlyList<SpanLinkData> Links)
{
    public static SpanDto From(SpanData span) => new(
        span.TraceId, span.SpanId, span.ParentSpanId, span.Name, span.Kind, span.Source.ServiceName, span.Source.InstanceId,
        span.Scope, span.Start, span.End, span.Duration.TotalMilliseconds, span.Status, span.StatusMessage,
        span.HasError, span.Attributes, span.Events, span.Links);
}

public sealed record InstrumentsAnswer(StoreState Store, IReadOnlyList<InstrumentDto> Instruments);

public sealed record InstrumentDto(
    string ServiceName, string InstanceId, string Meter, string Name, string? Description, string? Unit, InstrumentType Type, bool IsCumulative)
{
    public static InstrumentDto From(InstrumentData instrument) => new(
        instrument.Key.Source.ServiceName, instrument.Key.Source.InstanceId, instrument.Key.Meter, instrument.Key.Name,
        instrument.Description, instrument.Unit, instrument.Type, instrument.IsCumulative);
}

/// <summary>An instrument's points from every instance of the service, oldest first.</summary>
public sealed record PointsAnswer(StoreState Store, IReadOnlyList<InstrumentDto> Instruments, IReadOnlyList<PointDto> Points);

public sealed record PointDto(
    string InstanceId, DateTimeOffset StartTime, DateTimeOffset Time, IReadOnlyDictionary<string, string> Dimensions,
    double? Value, HistogramValue? Histogram)
{
    public static PointDto From(TelemetrySource source, MetricPoint point) =>
        new(source.InstanceId, point.StartTime, point.Time, point.Dimensions, point.Value, point.Histogram);
}
