using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Collector.Logs.V1;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Common.V1;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Logs.V1;

namespace CrmPlatform.AppHost.Telemetry.Otlp;

public sealed partial class OtlpConverter
{
    /// <summary>The attribute that carries OTLP's <c>event_name</c> (the semantic conventions' name).</summary>
    public const string EventNameKey = "event.name";

    public OtlpBatch<LogRecordData> ConvertLogs(ExportLogsServiceRequest request)
    {
        var logs = new List<LogRecordData>();
        var resources = new List<OtlpResource>(request.ResourceLogs.Count);
        foreach (var resourceLogs in request.ResourceLogs)
        {
            var resource = ResourceOf(resourceLogs.Resource);
            resources.Add(resource);
            foreach (var scopeLogs in resourceLogs.ScopeLogs)
            {
                var scope = scopeLogs.Scope?.Name is { Length: > 0 } name ? Share(name) : null;
                foreach (var record in scopeLogs.LogRecords)
                {
                    logs.Add(ConvertLog(resource.Source, scope, record));
                }
            }
        }

        // Every log record is kept: there is nothing in one that makes it unusable.
        return Batch(logs, resources, 0, null);
    }

    private LogRecordData ConvertLog(TelemetrySource source, string? scope, LogRecord record)
    {
        var attributes = Attributes(record.Attributes);
        if (record.EventName is { Length: > 0 } eventName && !attributes.ContainsKey(EventNameKey) && attributes.Count < _limits.MaxAttributeCount)
        {
            attributes = new AttributeMap([.. attributes, new(EventNameKey, Share(eventName))]);
        }

        return new LogRecordData(
            Sequence: 0,
            source,
            OtlpValues.FromUnixNanos(record.TimeUnixNano) ?? OtlpValues.FromUnixNanos(record.ObservedTimeUnixNano) ?? DateTimeOffset.UtcNow,
            LevelOf(record),
            MessageOf(record),
            scope ?? (attributes.GetValueOrDefault("category") is { Length: > 0 } category ? category : null),
            OtlpValues.ToHexId(record.TraceId, 16),
            OtlpValues.ToHexId(record.SpanId, 8),
            attributes);
    }

    /// <summary>The body as text, a template body filled from the attributes; an empty body shows the event name.</summary>
    private static string MessageOf(LogRecord record)
    {
        if (record.Body?.ValueCase == AnyValue.ValueOneofCase.StringValue)
        {
            return LogTemplate.Format(record.Body.StringValue, name =>
                record.Attributes.FirstOrDefault(a => a.Key == name) is { } attribute ? OtlpValues.ToText(attribute.Value) : null);
        }

        return OtlpValues.ToText(record.Body) is { Length: > 0 } body ? body : record.EventName;
    }

    /// <summary>OTLP's severity ranges of four; without a number, the severity text as loggers spell it.</summary>
    internal static LogLevelName LevelOf(LogRecord record) => (int)record.SeverityNumber switch
    {
        >= 1 and <= 4 => LogLevelName.Trace,
        >= 5 and <= 8 => LogLevelName.Debug,
        >= 9 and <= 12 => LogLevelName.Information,
        >= 13 and <= 16 => LogLevelName.Warning,
        >= 17 and <= 20 => LogLevelName.Error,
        >= 21 => LogLevelName.Critical,
        _ => record.SeverityText.ToLowerInvariant() switch
        {
            "trace" or "verbose" => LogLevelName.Trace,
            "debug" => LogLevelName.Debug,
            "warn" or "warning" => LogLevelName.Warning,
            "error" or "err" => LogLevelName.Error,
            "fatal" or "critical" or "crit" => LogLevelName.Critical,
            _ => LogLevelName.Information,
        },
    };
}
