using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using CrmPlatform.AppHost.Telemetry.Otlp;

namespace CrmPlatform.AppHost.Telemetry.Persistence;

/// <summary>Everything a store holds, oldest first, as written to <c>Telemetry:PersistPath</c> (gzipped JSON).</summary>
public sealed record TelemetrySnapshot(
    int Version,
    IReadOnlyList<ResourceSnapshot> Resources,
    IReadOnlyList<LogRecordData> Logs,
    IReadOnlyList<SpanData> Spans,
    IReadOnlyList<InstrumentSnapshot> Instruments)
{
    public const int CurrentVersion = 1;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Reading shares repeated strings as the receivers do; without it a restored store would take three times the memory.</summary>
    private static JsonSerializerOptions ReadOptions() => new(Json) { Converters = { new SharedStringConverter(new StringPool()) } };

    public static TelemetrySnapshot Of(TelemetryStore store) => new(
        CurrentVersion,
        [.. store.SourceSummaries().Select(s => new ResourceSnapshot(s.Source, s.Attributes))],
        [.. store.QueryLogs(new LogQuery(Limit: int.MaxValue)).Reverse()],
        [.. store.QueryTraces(new TraceQuery(Limit: int.MaxValue)).Reverse().SelectMany(t => t.Spans)],
        [.. store.Instruments().Select(i => new InstrumentSnapshot(i, store.Points(i.Key)))]);

    /// <summary>Adds the snapshot's records to <paramref name="store"/>, which applies its own limits.</summary>
    public void RestoreInto(TelemetryStore store)
    {
        foreach (var resource in Resources)
        {
            store.SetResourceAttributes(resource.Source, resource.Attributes);
        }

        store.AddLogs(Logs);
        store.AddSpans(Spans);
        store.AddMetricPoints(Instruments.Select(i => new InstrumentPoints(i.Instrument, i.Points)));
    }

    /// <summary>Written beside the file and moved over it, so a crash while writing leaves the previous snapshot.</summary>
    public async Task WriteAsync(string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + ".tmp";
        await using (var file = File.Create(temporary))
        await using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        {
            await JsonSerializer.SerializeAsync(gzip, this, Json, cancellationToken);
        }

        File.Move(temporary, path, overwrite: true);
    }

    public static async Task<TelemetrySnapshot?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        var snapshot = await JsonSerializer.DeserializeAsync<TelemetrySnapshot>(gzip, ReadOptions(), cancellationToken);
        return snapshot?.Version == CurrentVersion ? snapshot : null;
    }
}

public sealed record ResourceSnapshot(TelemetrySource Source, IReadOnlyDictionary<string, string> Attributes);

public sealed record InstrumentSnapshot(InstrumentData Instrument, IReadOnlyList<MetricPoint> Points);

internal sealed class SharedStringConverter(StringPool pool) : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetString() is { } value ? pool.Share(value) : null;

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        pool.Share(reader.GetString()!);

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(value);
}
