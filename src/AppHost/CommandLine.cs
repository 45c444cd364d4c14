namespace CrmPlatform.AppHost;

/// <summary>
/// Short options on top of the configuration keys. Flags are turned into <c>--AppHost:Key=true</c> here because the
/// configuration's switch mappings only know options with a value.
/// </summary>
public static class CommandLine
{
    private static readonly Dictionary<string, string> Options = new()
    {
        ["--gateway-port"] = "AppHost:GatewayPort",
        ["--state-dir"] = "AppHost:StateDir",
        ["--otlp-endpoint"] = "AppHost:OtlpEndpoint",
        ["--dashboard-url"] = "AppHost:DashboardUrl",
        ["--otlp-grpc-url"] = "AppHost:OtlpGrpcUrl",
        ["--otlp-http-url"] = "AppHost:OtlpHttpUrl",
        ["--otlp-api-key"] = "AppHost:OtlpApiKey",
        ["--browser-token"] = "AppHost:BrowserToken",
    };

    private static readonly Dictionary<string, string> Flags = new()
    {
        ["--wipe"] = "AppHost:Wipe",
        ["--skip-missing"] = "AppHost:SkipMissingProjects",
    };

    public static bool WantsHelp(string[] args) => args.Any(arg => arg is "--help" or "-h" or "-?");

    public static void PrintHelp() => Console.WriteLine("""
        Runs the CRM platform: PostgreSQL, RabbitMQ, the services and the gateway, in dependency order.
        Build first (dotnet build), then: dotnet run --project src/AppHost [options]

        Options:
          --gateway-port PORT     Port of the gateway on http://localhost (default 8080)
          --state-dir DIR         Data, secrets, ports and pid files (default .crm/ at the repository root)
          --wipe                  Delete the state folder, with all data, before starting
          --dashboard-url URL     The dashboard and /api/* (default http://localhost:18888)
          --browser-token TOKEN   The dashboard's login token (default: a new one each start, printed)
          --otlp-grpc-url URL     The OTLP/gRPC receiver (default http://localhost:4317)
          --otlp-http-url URL     The OTLP/HTTP receiver (default http://localhost:4318)
          --otlp-api-key KEY      Require this x-otlp-api-key header on OTLP requests (default: none)
          --otlp-endpoint URL     OTLP endpoint given to the services (default: the AppHost's own gRPC receiver)
          --skip-missing          Leave out projects that are not built, and what depends on them
          -h, --help              Show this help

        Any setting also reads as --AppHost:Name=value or the environment variable AppHost__Name
        (GatewayPort, StateDir, Wipe, DashboardUrl, BrowserToken, OtlpGrpcUrl, OtlpHttpUrl, OtlpApiKey, OtlpEndpoint,
        SkipMissingProjects); telemetry limits as --Telemetry:MaxLogCount=N (MaxTraceCount, MaxMetricPointsPerSource,
        MaxAttributeCount, MaxAttributeLength, MaxSpanEventCount, MaxRequestBytes); --Telemetry:PersistPath=FILE keeps
        the telemetry across restarts (written at a graceful stop, relative to the state folder).
        Ctrl+C or SIGTERM stops everything in reverse dependency order.
        """);

    /// <summary>Rewrites the short options as configuration keys; everything else passes through.</summary>
    public static string[] ExpandAliases(string[] args)
    {
        var expanded = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var (name, value) = args[i].Split('=', 2) is [var n, var v] ? (n, v) : (args[i], null);
            if (Flags.TryGetValue(name, out var flag))
            {
                expanded.Add($"--{flag}={value ?? "true"}");
            }
            else if (Options.TryGetValue(name, out var key))
            {
                if (value is null && i + 1 == args.Length)
                {
                    Console.Error.WriteLine($"{name} needs a value; see --help.");
                    Environment.Exit(2);
                }

                value ??= args[++i];
                expanded.Add($"--{key}={value}");
            }
            else
            {
                expanded.Add(args[i]);
            }
        }

        return [.. expanded];
    }
}
