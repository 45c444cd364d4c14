using System.Diagnostics;
using CrmPlatform.Bench.Shared;

namespace CrmPlatform.PlatformBench;

/// <summary>
/// The baseline: the platform before Aspire (commit 62d1adb, its hand-made app host with its own supervision, OTLP
/// receivers, telemetry store and dashboard in one process), built in Release in another worktree and started with the
/// same flags as its own harness (its <c>AppHostProcess.Start</c>) used: <c>dotnet CrmPlatform.AppHost.dll --state-dir
/// … --gateway-port … --dashboard-url … --browser-token … --otlp-grpc-url … --otlp-http-url …</c>.
/// </summary>
internal static class OldPlatform
{
    /// <summary>What the old app host prints once every resource is running and healthy.</summary>
    private const string ReadyLine = "resources are running and healthy";

    /// <param name="stateDirectory">Not created here: the old app host creates it with the rights PostgreSQL needs.</param>
    public static PlatformProcess Start(string root, string stateDirectory, int gatewayPort, string adminSecret, IReadOnlyDictionary<string, string> environment)
    {
        var appHost = Path.Combine(root, "src", "AppHost", "bin", "Release", "net10.0", "CrmPlatform.AppHost.dll");
        if (!File.Exists(appHost))
        {
            throw new InvalidOperationException($"{appHost} is missing: run `dotnet build CrmPlatform.sln -c Release` in {root} first.");
        }

        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = root };
        foreach (var argument in (string[])[appHost, "--state-dir", stateDirectory, "--gateway-port", $"{gatewayPort}",
                     "--dashboard-url", $"http://localhost:{FreePort.Pick()}", "--browser-token", Guid.NewGuid().ToString("N"),
                     "--otlp-grpc-url", $"http://localhost:{FreePort.Pick()}", "--otlp-http-url", $"http://localhost:{FreePort.Pick()}",
                     $"--Identity:Bootstrap:ClientSecret={adminSecret}"])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        // The started process is the app host itself; its services are its children (`dotnet CrmPlatform.X.dll`).
        return new PlatformProcess(start, new Uri($"http://localhost:{gatewayPort}"), stateDirectory, ReadyLine, process => process.CommandLine.Contains(appHost, StringComparison.Ordinal));
    }
}
