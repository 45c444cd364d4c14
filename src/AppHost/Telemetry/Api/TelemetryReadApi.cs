using Microsoft.AspNetCore.Http.HttpResults;

namespace CrmPlatform.AppHost.Telemetry.Api;

/// <summary>
/// <c>/api/telemetry/*</c>: what the receivers stored, for scripts and tests (the dashboard reads the store directly).
/// Lists are newest first and bounded by <c>limit</c> (200 by default).
/// </summary>
internal static class TelemetryReadApi
{
    private const int DefaultLimit = 200;
    private const int MaxLimit = 100_000;
    private const string AttributePrefix = "attr.";

    public static RouteGroupBuilder MapTelemetryReadApi(this RouteGroupBuilder telemetry)
    {
        telemetry.MapGet("/resources", GetResources);
        telemetry.MapGet("/logs", GetLogs);
        telemetry.MapGet("/traces", GetTraces);
        telemetry.MapGet("/traces/{traceId}", GetTrace);
        telemetry.MapGet("/spans", GetSpans);
        telemetry.MapGet("/metrics", GetInstruments);
        telemetry.MapGet("/metrics/{service}/{meter}/{instrument}", GetPoints);
        return telemetry;
    }

    private static Ok<ResourcesAnswer> GetResources(TelemetryStore store) =>
        TypedResults.Ok(new ResourcesAnswer(State(store), [.. store.SourceSummaries().Select(ResourceDto.From)]));

    /// <summary><c>level</c> is the lowest level shown; <c>attr.KEY=VALUE</c> (any number) must all match exactly.</summary>
    private static Results<Ok<LogsAnswer>, ProblemHttpResult> GetLogs(
        TelemetryStore store, HttpRequest request, string? service, string? level, string? text, string? traceId, long? after, int? limit)
    {
        LogLevelName? minLevel = null;
        if (!string.IsNullOrEmpty(level))
        {
            if (!Enum.TryParse<LogLevelName>(level, ignoreCase: true, out var parsed) || int.TryParse(level, out _))
            {
                return TypedResults.Problem(
                    $"Unknown level '{level}': use one of {string.Join(", ", Enum.GetNames<LogLevelName>())}.", statusCode: StatusCodes.Status400BadRequest);
            }

            minLevel = parsed;
        }

        var attributes = request.Query
            .Where(q => q.Key.StartsWith(AttributePrefix, StringComparison.Ordinal) && q.Key.Length > AttributePrefix.Length)
            .ToDictionary(q => q.Key[AttributePrefix.Length..], q => q.Value.ToString());
        var logs = store.QueryLogs(new LogQuery(
            Empty(service), minLevel, Empty(text), Empty(traceId)?.ToLowerInvariant(), attributes.Count > 0 ? attributes : null, after, Limit(limit)));
        return TypedResults.Ok(new LogsAnswer(State(store), store.LogCount, [.. logs.Select(LogDto.From)]));
    }

    private static Ok<TracesAnswer> GetTraces(TelemetryStore store, string? service, string? text, bool? hasError, int? limit)
    {
        var traces = store.QueryTraces(new TraceQuery(Empty(service), Empty(text), hasError, Limit(limit)));
        return TypedResults.Ok(new TracesAnswer(State(store), store.TraceCount, [.. traces.Select(TraceSummaryDto.From)]));
    }

    private static Results<Ok<TraceDto>, ProblemHttpResult> GetTrace(TelemetryStore store, string traceId) =>
        store.GetTrace(traceId.ToLowerInvariant()) is { } trace
            ? TypedResults.Ok(TraceDto.From(trace))
            : TypedResults.Problem($"No trace {traceId} in the store (never received, or evicted).", statusCode: StatusCodes.Status404NotFound);

    private static Ok<SpansAnswer> GetSpans(TelemetryStore store, string? service, string? name, string? traceId, int? limit)
    {
        var spans = store.QuerySpans(new SpanQuery(Empty(service), Empty(name), Empty(traceId)?.ToLowerInvariant(), Limit(limit)));
        return TypedResults.Ok(new SpansAnswer(State(store), [.. spans.Select(SpanDto.From)]));
    }

    private static Ok<InstrumentsAnswer> GetInstruments(TelemetryStore store, string? service) =>
        TypedResults.Ok(new InstrumentsAnswer(State(store), [.. store.Instruments()
            .Where(i => string.IsNullOrEmpty(service) || i.Key.Source.ServiceName == service)
            .Select(InstrumentDto.From)]));

    /// <summary>Across the service's instances (<c>instance</c> picks one); <c>since</c> keeps points at or after it.</summary>
    private static Results<Ok<PointsAnswer>, ProblemHttpResult> GetPoints(
        TelemetryStore store, string service, string meter, string instrument, DateTimeOffset? since, string? instance)
    {
        var instruments = store.Instruments()
            .Where(i => i.Key.Source.ServiceName == service && i.Key.Meter == meter && i.Key.Name == instrument)
            .Where(i => string.IsNullOrEmpty(instance) || i.Key.Source.InstanceId == instance)
            .ToList();
        if (instruments.Count == 0)
        {
            return TypedResults.Problem(
                $"No instrument {instrument} of meter {meter} from service {service} in the store.", statusCode: StatusCodes.Status404NotFound);
        }

        var points = instruments
            .SelectMany(i => store.Points(i.Key, since).Select(p => PointDto.From(i.Key.Source, p)))
            .OrderBy(p => p.Time)
            .ToList();
        return TypedResults.Ok(new PointsAnswer(State(store), [.. instruments.Select(InstrumentDto.From)], points));
    }

    private static StoreState State(TelemetryStore store) => new(store.Limits, store.Evicted);

    private static int Limit(int? limit) => Math.Clamp(limit ?? DefaultLimit, 1, MaxLimit);

    private static string? Empty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
