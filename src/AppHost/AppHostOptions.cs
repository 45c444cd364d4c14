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

    /// <summary>Where the services send telemetry (OTLP); none when empty.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>Where the AppHost serves <c>/api/resources</c>.</summary>
    public string DashboardUrl { get; set; } = "http://localhost:18888";

    /// <summary>Leave out projects that are not built (and what depends on them) instead of failing.</summary>
    public bool SkipMissingProjects { get; set; }

    public string StatePath => Path.GetFullPath(string.IsNullOrWhiteSpace(StateDir) ? Path.Combine(Repository.Root, ".crm") : StateDir);
}
