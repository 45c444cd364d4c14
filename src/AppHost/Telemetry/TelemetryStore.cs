using Microsoft.Extensions.Options;

namespace CrmPlatform.AppHost.Telemetry;

public enum TelemetryKind
{
    Logs,
    Traces,
    Metrics,
}

public sealed record LogQuery(
    string? Service = null,
    LogLevelName? MinLevel = null,
    string? Text = null,
    string? TraceId = null,
    IReadOnlyDictionary<string, string>? Attributes = null,
    long? AfterSequence = null,
    int Limit = 200);

public sealed record TraceQuery(string? Service = null, string? Text = null, bool? HasError = null, int Limit = 200);

public sealed record SpanQuery(string? Service = null, string? Name = null, string? TraceId = null, int Limit = 200);

/// <summary>One instrument's new points, as one export request brings them.</summary>
public sealed record InstrumentPoints(InstrumentData Instrument, IReadOnlyList<MetricPoint> Points);

/// <summary>A sender with its resource attributes and what the store holds of it now.</summary>
public sealed record SourceSummary(
    TelemetrySource Source,
    IReadOnlyDictionary<string, string> Attributes,
    int LogCount,
    int SpanCount,
    int TraceCount,
    int InstrumentCount,
    int MetricPointCount);

/// <summary>What the limits have dropped so far; the pages show it, so a full store never looks frozen.</summary>
public sealed record EvictionCounts(long Logs, long Traces, long MetricPoints);

/// <summary>
/// Telemetry received over OTLP, in memory and bounded (oldest dropped first), readable by the dashboard and
/// <c>/api/telemetry</c>. Writers and readers take one lock: writes are batches from exporters, reads are page renders.
/// </summary>
public sealed class TelemetryStore(IOptions<TelemetryLimits> options)
{
    private readonly TelemetryLimits _limits = options.Value;
    private readonly Lock _lock = new();
    private readonly HashSet<TelemetrySource> _sources = [];
    private readonly LinkedList<LogRecordData> _logs = new();
    private readonly Dictionary<string, TraceData> _traces = [];
    private readonly LinkedList<string> _traceOrder = new();
    private readonly Dictionary<TelemetrySource, SourceMetrics> _metrics = [];
    private readonly Dictionary<TelemetrySource, IReadOnlyDictionary<string, string>> _resourceAttributes = [];
    private long _logSequence;
    private long _evictedLogs;
    private long _evictedTraces;
    private long _evictedPoints;

    /// <summary>Raised after each write, outside the lock, so pages can refresh.</summary>
    public event Action<TelemetryKind>? Changed;

    public TelemetryLimits Limits => _limits;

    public EvictionCounts Evicted
    {
        get
        {
            lock (_lock)
            {
                return new EvictionCounts(_evictedLogs, _evictedTraces, _evictedPoints);
            }
        }
    }

    public IReadOnlyList<TelemetrySource> Sources
    {
        get
        {
            lock (_lock)
            {
                return [.. _sources.OrderBy(s => s.ServiceName).ThenBy(s => s.InstanceId)];
            }
        }
    }

    public int LogCount
    {
        get
        {
            lock (_lock)
            {
                return _logs.Count;
            }
        }
    }

    public int TraceCount
    {
        get
        {
            lock (_lock)
            {
                return _traces.Count;
            }
        }
    }

    /// <summary>Adds log records (their <see cref="LogRecordData.Sequence"/> is assigned here).</summary>
    public void AddLogs(IEnumerable<LogRecordData> records)
    {
        lock (_lock)
        {
            foreach (var record in records)
            {
                _sources.Add(record.Source);
                _logs.AddLast(record with { Sequence = ++_logSequence });
                if (_logs.Count > _limits.MaxLogCount)
                {
                    _logs.RemoveFirst();
                    _evictedLogs++;
                }
            }
        }

        Changed?.Invoke(TelemetryKind.Logs);
    }

    public void AddSpans(IEnumerable<SpanData> spans)
    {
        lock (_lock)
        {
            foreach (var span in spans)
            {
                _sources.Add(span.Source);
                if (!_traces.TryGetValue(span.TraceId, out var trace))
                {
                    _traces[span.TraceId] = trace = new TraceData(span.TraceId);
                    _traceOrder.AddLast(span.TraceId);
                    if (_traces.Count > _limits.MaxTraceCount)
                    {
                        _traces.Remove(_traceOrder.First!.Value);
                        _traceOrder.RemoveFirst();
                        _evictedTraces++;
                    }
                }

                trace.Add(span);
            }
        }

        Changed?.Invoke(TelemetryKind.Traces);
    }

    public void AddMetricPoints(InstrumentData instrument, IEnumerable<MetricPoint> points) =>
        AddMetricPoints([new InstrumentPoints(instrument, [.. points])]);

    /// <summary>Several instruments at once (one export request), with one <see cref="Changed"/>.</summary>
    public void AddMetricPoints(IEnumerable<InstrumentPoints> batches)
    {
        lock (_lock)
        {
            foreach (var (instrument, points) in batches)
            {
                var source = instrument.Key.Source;
                _sources.Add(source);
                if (!_metrics.TryGetValue(source, out var metrics))
                {
                    _metrics[source] = metrics = new SourceMetrics();
                }

                _evictedPoints += metrics.Add(instrument, points, _limits.MaxMetricPointsPerSource);
            }
        }

        Changed?.Invoke(TelemetryKind.Metrics);
    }

    /// <summary>The sender's resource attributes as last received (they describe the process, so the latest wins).</summary>
    public void SetResourceAttributes(TelemetrySource source, IReadOnlyDictionary<string, string> attributes)
    {
        lock (_lock)
        {
            _sources.Add(source);
            _resourceAttributes[source] = attributes;
        }
    }

    public IReadOnlyDictionary<string, string> ResourceAttributes(TelemetrySource source)
    {
        lock (_lock)
        {
            return _resourceAttributes.GetValueOrDefault(source) ?? new Dictionary<string, string>();
        }
    }

    /// <summary>Every sender with what the store holds of it (a full pass over the store: for APIs, not for every render).</summary>
    public IReadOnlyList<SourceSummary> SourceSummaries()
    {
        lock (_lock)
        {
            var logs = _logs.CountBy(l => l.Source).ToDictionary();
            var spans = new Dictionary<TelemetrySource, int>();
            var traces = new Dictionary<TelemetrySource, int>();
            foreach (var trace in _traces.Values)
            {
                foreach (var span in trace.Spans)
                {
                    spans[span.Source] = spans.GetValueOrDefault(span.Source) + 1;
                }

                foreach (var source in trace.Spans.Select(s => s.Source).Distinct())
                {
                    traces[source] = traces.GetValueOrDefault(source) + 1;
                }
            }

            return [.. _sources.OrderBy(s => s.ServiceName).ThenBy(s => s.InstanceId).Select(source => new SourceSummary(
                source,
                _resourceAttributes.GetValueOrDefault(source) ?? new Dictionary<string, string>(),
                logs.GetValueOrDefault(source),
                spans.GetValueOrDefault(source),
                traces.GetValueOrDefault(source),
                _metrics.GetValueOrDefault(source)?.Instruments.Count() ?? 0,
                _metrics.GetValueOrDefault(source)?.PointCount ?? 0))];
        }
    }

    /// <summary>Spans of any trace, newest first (by start), at most <see cref="SpanQuery.Limit"/>.</summary>
    public IReadOnlyList<SpanData> QuerySpans(SpanQuery query)
    {
        lock (_lock)
        {
            IEnumerable<TraceData> traces = query.TraceId is null
                ? _traces.Values
                : _traces.TryGetValue(query.TraceId, out var trace) ? [trace] : [];
            return [.. traces.SelectMany(t => t.Spans)
                .Where(s => query.Service is null || s.Source.ServiceName == query.Service)
                .Where(s => string.IsNullOrEmpty(query.Name) || s.Name.Contains(query.Name, StringComparison.OrdinalIgnoreCase))
                .OrderByDescending(s => s.Start)
                .Take(query.Limit)];
        }
    }

    /// <summary>Newest first, at most <see cref="LogQuery.Limit"/>.</summary>
    public IReadOnlyList<LogRecordData> QueryLogs(LogQuery query)
    {
        lock (_lock)
        {
            var matches = new List<LogRecordData>();
            for (var node = _logs.Last; node is not null && matches.Count < query.Limit; node = node.Previous)
            {
                var log = node.Value;
                if (query.AfterSequence is { } after && log.Sequence <= after)
                {
                    break;
                }

                if (Matches(log, query))
                {
                    matches.Add(log);
                }
            }

            return matches;
        }
    }

    /// <summary>Error and critical logs per service, for the resources page's badges.</summary>
    public IReadOnlyDictionary<string, int> ErrorCounts()
    {
        lock (_lock)
        {
            return _logs.Where(l => l.Level >= LogLevelName.Error)
                .GroupBy(l => l.Source.ServiceName)
                .ToDictionary(g => g.Key, g => g.Count());
        }
    }

    /// <summary>Newest first (by start), at most <see cref="TraceQuery.Limit"/>; each a copy that later spans do not change.</summary>
    public IReadOnlyList<TraceData> QueryTraces(TraceQuery query)
    {
        lock (_lock)
        {
            return [.. _traces.Values
                .Where(t => query.Service is null || t.Spans.Any(s => s.Source.ServiceName == query.Service))
                .Where(t => query.HasError is null || t.HasError == query.HasError)
                .Where(t => string.IsNullOrEmpty(query.Text) || t.Spans.Any(s => s.Name.Contains(query.Text, StringComparison.OrdinalIgnoreCase)))
                .OrderByDescending(t => t.Start)
                .Take(query.Limit)
                .Select(Copy)];
        }
    }

    public TraceData? GetTrace(string traceId)
    {
        lock (_lock)
        {
            return _traces.TryGetValue(traceId, out var trace) ? Copy(trace) : null;
        }
    }

    public IReadOnlyList<InstrumentData> Instruments(TelemetrySource? source = null)
    {
        lock (_lock)
        {
            return [.. _metrics.Where(m => source is null || m.Key == source)
                .SelectMany(m => m.Value.Instruments)
                .OrderBy(i => i.Key.Source.ServiceName).ThenBy(i => i.Key.Meter).ThenBy(i => i.Key.Name)];
        }
    }

    /// <summary>Every point of the instrument since <paramref name="since"/>, oldest first, across its series.</summary>
    public IReadOnlyList<MetricPoint> Points(InstrumentKey key, DateTimeOffset? since = null)
    {
        lock (_lock)
        {
            return _metrics.TryGetValue(key.Source, out var metrics) ? metrics.Points(key, since) : [];
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _logs.Clear();
            _traces.Clear();
            _traceOrder.Clear();
            _metrics.Clear();
            _resourceAttributes.Clear();
            _sources.Clear();
        }

        Changed?.Invoke(TelemetryKind.Logs);
        Changed?.Invoke(TelemetryKind.Traces);
        Changed?.Invoke(TelemetryKind.Metrics);
    }

    private static bool Matches(LogRecordData log, LogQuery query) =>
        (query.Service is null || log.Source.ServiceName == query.Service)
        && (query.MinLevel is null || log.Level >= query.MinLevel)
        && (query.TraceId is null || log.TraceId == query.TraceId)
        && (string.IsNullOrEmpty(query.Text)
            || log.Message.Contains(query.Text, StringComparison.OrdinalIgnoreCase)
            || log.Attributes.Values.Any(v => v.Contains(query.Text, StringComparison.OrdinalIgnoreCase)))
        && (query.Attributes is null
            || query.Attributes.All(a => log.Attributes.TryGetValue(a.Key, out var value) && value == a.Value));

    private static TraceData Copy(TraceData trace)
    {
        var copy = new TraceData(trace.TraceId);
        foreach (var span in trace.Spans)
        {
            copy.Add(span);
        }

        return copy;
    }

    /// <summary>A source's instruments and series; the oldest point of any series goes first when the source is full.</summary>
    private sealed class SourceMetrics
    {
        private readonly Dictionary<InstrumentKey, InstrumentData> _instruments = [];
        private readonly Dictionary<InstrumentKey, Dictionary<string, Queue<MetricPoint>>> _series = [];
        private readonly Queue<Queue<MetricPoint>> _arrival = new();

        public IEnumerable<InstrumentData> Instruments => _instruments.Values;

        public int PointCount => _arrival.Count;

        public long Add(InstrumentData instrument, IEnumerable<MetricPoint> points, int limit)
        {
            _instruments[instrument.Key] = instrument;
            if (!_series.TryGetValue(instrument.Key, out var series))
            {
                _series[instrument.Key] = series = [];
            }

            long evicted = 0;
            foreach (var point in points)
            {
                var dimensions = string.Join('\u001f', point.Dimensions.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key}={d.Value}"));
                if (!series.TryGetValue(dimensions, out var queue))
                {
                    series[dimensions] = queue = new Queue<MetricPoint>();
                }

                queue.Enqueue(point);
                _arrival.Enqueue(queue);
                if (_arrival.Count > limit)
                {
                    _arrival.Dequeue().Dequeue();
                    evicted++;
                }
            }

            return evicted;
        }

        public IReadOnlyList<MetricPoint> Points(InstrumentKey key, DateTimeOffset? since) =>
            _series.TryGetValue(key, out var series)
                ? [.. series.Values.SelectMany(q => q).Where(p => since is null || p.Time >= since).OrderBy(p => p.Time)]
                : [];
    }
}
