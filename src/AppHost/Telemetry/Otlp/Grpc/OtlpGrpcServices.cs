using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Collector.Logs.V1;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Collector.Metrics.V1;
using CrmPlatform.AppHost.Telemetry.Otlp.Proto.Collector.Trace.V1;
using Grpc.Core;

namespace CrmPlatform.AppHost.Telemetry.Otlp.Grpc;

/// <summary><c>opentelemetry.proto.collector.trace.v1.TraceService/Export</c>.</summary>
internal sealed class OtlpTraceService(OtlpIngestion ingestion) : TraceService.TraceServiceBase
{
    public override Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context) =>
        Task.FromResult(ingestion.Export(request));
}

/// <summary><c>opentelemetry.proto.collector.logs.v1.LogsService/Export</c>.</summary>
internal sealed class OtlpLogsService(OtlpIngestion ingestion) : LogsService.LogsServiceBase
{
    public override Task<ExportLogsServiceResponse> Export(ExportLogsServiceRequest request, ServerCallContext context) =>
        Task.FromResult(ingestion.Export(request));
}

/// <summary><c>opentelemetry.proto.collector.metrics.v1.MetricsService/Export</c>.</summary>
internal sealed class OtlpMetricsService(OtlpIngestion ingestion) : MetricsService.MetricsServiceBase
{
    public override Task<ExportMetricsServiceResponse> Export(ExportMetricsServiceRequest request, ServerCallContext context) =>
        Task.FromResult(ingestion.Export(request));
}
