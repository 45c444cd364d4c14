namespace CrmPlatform.AppHost;

/// <summary>The <c>AppHost</c> configuration section (<c>--AppHost:GatewayPort=8080</c>, <c>AppHost__GatewayPort</c>, or the short options).</summary>
public sealed class AppHostOptions
{
    public const string Section = "AppHost";

    public int GatewayPort { get; set; } = 8080;

    /// <summary>Data, secrets, ports and pid files; <c>.crm/</c> at the repository root by default.</summary>
    public string? StateDir { get; set; }

    /// <summary>Delete the state folder (all data) before starting.</summary>
    public bool Wipe { get; set; }

    /// <summary>Where the services send telemetry (OTLP/gRPC); the AppHost's own receiver (<see cref="OtlpGrpcUrl"/>) when empty.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>Where the AppHost serves the dashboard and <c>/api/*</c>.</summary>
    public string DashboardUrl { get; set; } = "http://localhost:18888";

    /// <summary>The OTLP/gRPC receiver (HTTP/2 only).</summary>
    public string OtlpGrpcUrl { get; set; } = "http://localhost:4317";

    /// <summary>The OTLP/HTTP receiver: <c>/v1/traces</c>, <c>/v1/logs</c>, <c>/v1/metrics</c>, protobuf or JSON.</summary>
    public string OtlpHttpUrl { get; set; } = "http://localhost:4318";

    /// <summary>When set, OTLP requests must carry it in <c>x-otlp-api-key</c> (the services are given it).</summary>
    public string? OtlpApiKey { get; set; }

    /// <summary>The dashboard's login token; a new random one at each start when empty (printed as a login URL).</summary>
    public string? BrowserToken { get; set; }

    /// <summary>Leave out projects that are not built (and what depends on them) instead of failing.</summary>
    public bool SkipMissingProjects { get; set; }

    public string StatePath => Path.GetFullPath(string.IsNullOrWhiteSpace(StateDir) ? Path.Combine(Repository.Root, ".crm") : StateDir);
}
