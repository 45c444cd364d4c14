using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Collector.Logs.V1;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Collector.Metrics.V1;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Collector.Trace.V1;

namespace CrmPlatform.AppHost.Telemetry.Otlp;

/// <summary>
/// The receivers' common step once a request is decoded, whichever the transport: convert, store, and answer with a
/// partial success when some records were refused (an empty answer means all were taken).
/// </summary>
public sealed class OtlpIngestion(OtlpConverter converter, TelemetryStore store)
{
    public ExportTraceServiceResponse Export(ExportTraceServiceRequest request)
    {
        var batch = converter.ConvertSpans(request);
        Store(batch.Resources);
        if (batch.Items.Count > 0)
        {
            store.AddSpans(batch.Items);
        }

        return new ExportTraceServiceResponse
        {
            PartialSuccess = batch.Rejected > 0 ? new ExportTracePartialSuccess { RejectedSpans = batch.Rejected, ErrorMessage = batch.ErrorMessage } : null,
        };
    }

    public ExportLogsServiceResponse Export(ExportLogsServiceRequest request)
    {
        var batch = converter.ConvertLogs(request);
        Store(batch.Resources);
        if (batch.Items.Count > 0)
        {
            store.AddLogs(batch.Items);
        }

        return new ExportLogsServiceResponse
        {
            PartialSuccess = batch.Rejected > 0 ? new ExportLogsPartialSuccess { RejectedLogRecords = batch.Rejected, ErrorMessage = batch.ErrorMessage } : null,
        };
    }

    public ExportMetricsServiceResponse Export(ExportMetricsServiceRequest request)
    {
        var batch = converter.ConvertMetrics(request);
        Store(batch.Resources);
        if (batch.Items.Count > 0)
        {
            store.AddMetricPoints(batch.Items);
        }

        return new ExportMetricsServiceResponse
        {
            PartialSuccess = batch.Rejected > 0 ? new ExportMetricsPartialSuccess { RejectedDataPoints = batch.Rejected, ErrorMessage = batch.ErrorMessage } : null,
        };
    }

    private void Store(IReadOnlyList<OtlpResource> resources)
    {
        foreach (var resource in resources)
        {
            store.SetResourceAttributes(resource.Source, resource.Attributes);
        }
    }
}
