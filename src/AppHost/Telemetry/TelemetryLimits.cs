namespace CrmPlatform.AppHost.Telemetry;

/// <summary>The <c>Telemetry</c> configuration section; the defaults are Aspire's dashboard limits.</summary>
public sealed class TelemetryLimits
{
    public const string Section = "Telemetry";

    public int MaxLogCount { get; set; } = 10_000;

    public int MaxTraceCount { get; set; } = 10_000;

    /// <summary>Per source (service instance), across all its instruments and series.</summary>
    public int MaxMetricPointsPerSource { get; set; } = 50_000;

    /// <summary>Attributes kept per log record, span or point; the rest are dropped (and counted as dropped).</summary>
    public int MaxAttributeCount { get; set; } = 128;

    public int MaxAttributeLength { get; set; } = 4096;

    public int MaxSpanEventCount { get; set; } = 1_000;

    /// <summary>
    /// The largest OTLP request body, after gzip decompression (HTTP answers 413, gRPC <c>RESOURCE_EXHAUSTED</c>). An
    /// exporter's batch of 512 spans is about 0.3 MiB.
    /// </summary>
    public int MaxRequestBytes { get; set; } = 16 * 1024 * 1024;
}
