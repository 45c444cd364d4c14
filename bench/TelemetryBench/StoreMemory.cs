using CrmPlatform.AppHost.Telemetry;
using CrmPlatform.AppHost.Telemetry.Otlp;
using Google.Protobuf;
using Microsoft.Extensions.Options;

/// <summary>
/// The managed memory a store holds once full at the default limits, filled through the converter as the receivers
/// fill it (so shared strings count once, and the converter's string pool counts too).
/// </summary>
internal static class StoreMemory
{
    public static IReadOnlyList<(string Content, long Bytes, long Records)> MeasureAll()
    {
        var limits = new TelemetryLimits();
        var traceBatches = (int)Math.Ceiling(limits.MaxTraceCount * (double)Workload.SpansPerTrace / Workload.BatchSize);
        var spans = (long)limits.MaxTraceCount * Workload.SpansPerTrace;
        return
        [
            ($"{limits.MaxTraceCount:N0} traces × {Workload.SpansPerTrace} spans", Held((converter, store) =>
            {
                for (var b = 0; b < traceBatches; b++)
                {
                    store.AddSpans(converter.ConvertSpans(Wire(Workload.Traces(b))).Items);
                }
            }), spans),
            ("the same without string sharing (every key and name its own copy)", Held((_, store) =>
            {
                var unshared = new OtlpConverter(Options.Create(new TelemetryLimits()), StringPool.None);
                for (var b = 0; b < traceBatches; b++)
                {
                    store.AddSpans(unshared.ConvertSpans(Wire(Workload.Traces(b))).Items);
                }
            }), spans),
            ($"{limits.MaxLogCount:N0} log records (5 attributes, trace ids)", Held((converter, store) =>
            {
                for (var b = 0; b < limits.MaxLogCount / 500; b++)
                {
                    store.AddLogs(converter.ConvertLogs(Wire(Workload.Logs(500))).Items);
                }
            }), limits.MaxLogCount),
            ($"{limits.MaxMetricPointsPerSource:N0} metric points of one source (50 instruments, 1 in 5 a 15-bucket histogram)", Held((converter, store) =>
            {
                for (var e = 0; e < limits.MaxMetricPointsPerSource / 50; e++)
                {
                    store.AddMetricPoints(converter.ConvertMetrics(Wire(Workload.Metrics(e))).Items);
                }
            }), limits.MaxMetricPointsPerSource),
        ];
    }

    /// <summary>Through bytes and back, as a receiver gets it: every string a fresh instance, as parsed off the wire.</summary>
    private static T Wire<T>(T request) where T : IMessage<T>, new() => new MessageParser<T>(() => new T()).ParseFrom(request.ToByteArray());

    private static long Held(Action<OtlpConverter, TelemetryStore> fill)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var options = Options.Create(new TelemetryLimits());
        var converter = new OtlpConverter(options);
        var store = new TelemetryStore(options);
        fill(converter, store);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(converter);
        GC.KeepAlive(store);
        return after - before;
    }
}
