namespace CrmPlatform.AppHost.Telemetry;

/// <summary>Who sent telemetry: OTLP's <c>service.name</c> and <c>service.instance.id</c>.</summary>
public sealed record TelemetrySource(string ServiceName, string InstanceId)
{
    public override string ToString() => ServiceName;
}

/// <summary>OTLP's severity numbers folded into the levels people read (1-4 trace, 5-8 debug, ..., 21-24 fatal).</summary>
public enum LogLevelName
{
    Trace,
    Debug,
    Information,
    Warning,
    Error,
    Critical,
}

public sealed record LogRecordData(
    long Sequence,
    TelemetrySource Source,
    DateTimeOffset Timestamp,
    LogLevelName Level,
    string Message,
    string? Category,
    string? TraceId,
    string? SpanId,
    IReadOnlyDictionary<string, string> Attributes);

public enum SpanKindName
{
    Unspecified,
    Internal,
    Server,
    Client,
    Producer,
    Consumer,
}

public enum SpanStatusCode
{
    Unset,
    Ok,
    Error,
}

public sealed record SpanEventData(string Name, DateTimeOffset Timestamp, IReadOnlyDictionary<string, string> Attributes);

public sealed record SpanLinkData(string TraceId, string SpanId, IReadOnlyDictionary<string, string> Attributes);

public sealed record SpanData(
    TelemetrySource Source,
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    string Name,
    SpanKindName Kind,
    DateTimeOffset Start,
    DateTimeOffset End,
    SpanStatusCode Status,
    string? StatusMessage,
    string Scope,
    IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyList<SpanEventData> Events,
    IReadOnlyList<SpanLinkData> Links)
{
    public TimeSpan Duration => End - Start;

    /// <summary>An error status, or an exception event (some instrumentations record one without setting the status).</summary>
    public bool HasError => Status == SpanStatusCode.Error || Events.Any(e => e.Name == "exception");
}

/// <summary>The spans of one trace received so far, from any number of services; spans may arrive in any order.</summary>
public sealed class TraceData(string traceId)
{
    private readonly List<SpanData> _spans = [];

    public string TraceId { get; } = traceId;

    /// <summary>Spans ordered by start time.</summary>
    public IReadOnlyList<SpanData> Spans => _spans;

    public DateTimeOffset Start => _spans.Count == 0 ? default : _spans[0].Start;

    public DateTimeOffset End => _spans.Count == 0 ? default : _spans.Max(s => s.End);

    public TimeSpan Duration => End - Start;

    /// <summary>The span without a parent in this trace, else the earliest.</summary>
    public SpanData? Root => _spans.FirstOrDefault(s => s.ParentSpanId is null) ?? _spans.FirstOrDefault();

    public IReadOnlyList<string> Services => [.. _spans.Select(s => s.Source.ServiceName).Distinct()];

    public bool HasError => _spans.Any(s => s.HasError);

    internal void Add(SpanData span)
    {
        var index = _spans.FindLastIndex(s => s.Start <= span.Start);
        _spans.Insert(index + 1, span);
    }
}

public enum InstrumentType
{
    Gauge,
    Sum,
    Histogram,
}

/// <summary>One instrument of one meter of one source, e.g. <c>http.server.request.duration</c>.</summary>
public sealed record InstrumentKey(TelemetrySource Source, string Meter, string Name);

public sealed record InstrumentData(InstrumentKey Key, string? Description, string? Unit, InstrumentType Type, bool IsCumulative);

/// <summary>
/// One point of one series (an instrument with one set of dimension values). Gauges and sums carry <see cref="Value"/>;
/// histograms carry the count, sum and bucket counts, cumulative since <see cref="StartTime"/> when the instrument is.
/// </summary>
public sealed record MetricPoint(
    DateTimeOffset StartTime,
    DateTimeOffset Time,
    IReadOnlyDictionary<string, string> Dimensions,
    double? Value,
    HistogramValue? Histogram);

/// <summary><see cref="Bounds"/> are the upper bounds; <see cref="Counts"/> has one more entry (the overflow bucket).</summary>
public sealed record HistogramValue(ulong Count, double Sum, IReadOnlyList<double> Bounds, IReadOnlyList<ulong> Counts);
