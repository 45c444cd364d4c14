using CrmPlatform.AppHost.Telemetry.Api;
using CrmPlatform.AppHost.Telemetry.Otlp;
using CrmPlatform.AppHost.Telemetry.Otlp.Grpc;
using CrmPlatform.AppHost.Telemetry.Otlp.Http;
using CrmPlatform.AppHost.Telemetry.Persistence;
using Grpc.AspNetCore.Server;
using Microsoft.Extensions.Options;

namespace CrmPlatform.AppHost.Telemetry;

/// <summary>The OTLP receivers (gRPC and HTTP), the bounded telemetry store and <c>/api/telemetry</c>.</summary>
public static class TelemetryExtensions
{
    public static void AddTelemetry(this WebApplicationBuilder builder, AppHostOptions options)
    {
        builder.Services.Configure<TelemetryLimits>(builder.Configuration.GetSection(TelemetryLimits.Section));
        builder.Services.AddSingleton<TelemetryStore>();
        builder.Services.Configure<TelemetryPersistenceOptions>(builder.Configuration.GetSection(TelemetryLimits.Section));
        builder.Services.AddHostedService(services => ActivatorUtilities.CreateInstance<TelemetryPersistence>(services, options));
        builder.Services.AddSingleton<OtlpConverter>();
        builder.Services.AddSingleton<OtlpIngestion>();
        builder.Services.AddSingleton(new OtlpApiKey(options.OtlpApiKey));
        builder.Services.AddGrpc(grpc => grpc.Interceptors.Add<OtlpApiKeyInterceptor>());
        builder.Services.AddOptions<GrpcServiceOptions>()
            .Configure<IOptions<TelemetryLimits>>((grpc, limits) => grpc.MaxReceiveMessageSize = limits.Value.MaxRequestBytes);
    }

    /// <summary>Under <c>/api</c> (the group carries the dashboard's authorization).</summary>
    public static void MapTelemetryApi(this RouteGroupBuilder api) => api.MapGroup("/telemetry").MapTelemetryReadApi();

    /// <summary>
    /// Each receiver on its own listener only. Anonymous whatever the dashboard's authorization says: exporters cannot log
    /// in; the API key (when configured) is their credential.
    /// </summary>
    public static void MapOtlpReceivers(this WebApplication app, AppHostOptions options)
    {
        var grpcHost = Endpoints.HostOf(options.OtlpGrpcUrl);
        app.MapGrpcService<OtlpTraceService>().RequireHost(grpcHost).AllowAnonymous();
        app.MapGrpcService<OtlpLogsService>().RequireHost(grpcHost).AllowAnonymous();
        app.MapGrpcService<OtlpMetricsService>().RequireHost(grpcHost).AllowAnonymous();
        app.MapOtlpHttpReceiver(Endpoints.HostOf(options.OtlpHttpUrl));
    }
}
