namespace CrmPlatform.AppHost.Telemetry;

/// <summary>The OTLP receivers (gRPC and HTTP), the bounded telemetry store and <c>/api/telemetry</c>.</summary>
public static class TelemetryExtensions
{
    public static void AddTelemetry(this WebApplicationBuilder builder, AppHostOptions options)
    {
        builder.Services.Configure<TelemetryLimits>(builder.Configuration.GetSection(TelemetryLimits.Section));
        builder.Services.AddSingleton<TelemetryStore>();
    }

    /// <summary>Under <c>/api</c> (the group carries the dashboard's authorization).</summary>
    public static void MapTelemetryApi(this RouteGroupBuilder api)
    {
    }

    public static void MapOtlpReceivers(this WebApplication app, AppHostOptions options)
    {
    }
}
