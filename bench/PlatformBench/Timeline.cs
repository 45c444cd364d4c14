using System.Text.RegularExpressions;
using CrmPlatform.Bench.Shared;

namespace CrmPlatform.PlatformBench;

/// <summary>
/// When the parts of a platform started, from the kernel's start times of its processes alive once it is healthy
/// (relative to the process the harness started), and when they were gone after a SIGTERM.
/// </summary>
internal static partial class Timeline
{
    /// <summary>Identity, Contacts, Sales, Marketing and Service: what the gateway waits for.</summary>
    public const string Domain = "domain";
    public const string Mail = "mail";
    public const string Gateway = "gateway";

    /// <summary>The first and the last process of a category to start, in seconds after the started process.</summary>
    public sealed record Span(double First, double Last);

    /// <summary>
    /// Keyed by part: a category's key, and for the services and their <c>dotnet run</c> also which of them
    /// (<c>services:domain</c>, <c>services:mail</c>, <c>service-run:gateway</c>…).
    /// </summary>
    public static IReadOnlyDictionary<string, Span> Starts(PlatformProcess platform)
    {
        var processes = platform.Processes();
        var origin = processes.Single(p => p.Pid == platform.RootPid).StartTime;
        var appHost = platform.AppHostPid;
        return processes
            .GroupBy(p => Part(p, Usage.Classify(p, appHost, platform.RootPid)))
            .ToDictionary(g => g.Key, g => new Span(g.Min(p => p.StartTime - origin) / Procfs.TicksPerSecond, g.Max(p => p.StartTime - origin) / Procfs.TicksPerSecond));
    }

    private static string Part(ProcessInfo process, Usage.Category category)
    {
        if (category != Usage.Services && category != Usage.ServiceRunners)
        {
            return category.Key;
        }

        // The program (CrmPlatform.Sales) or the project `dotnet run` was given (src/Sales/Sales.csproj).
        var name = ServiceName().Match(process.CommandLine).Groups["name"].Value;
        return $"{category.Key}:{name switch { "Gateway" => Gateway, "Mail" => Mail, _ => Domain }}";
    }

    [GeneratedRegex(@"(CrmPlatform\.|/src/)(?<name>Identity|Contacts|Sales|Marketing|Service|Gateway|Mail)\b")]
    private static partial Regex ServiceName();

    /// <summary>When the last process of each category was seen gone, in seconds after the SIGTERM.</summary>
    public static IReadOnlyDictionary<Usage.Category, double> Stops(PlatformProcess.StopResult stop, int appHost, int root) =>
        stop.GoneAfter
            .GroupBy(p => Usage.Classify(p.Key, appHost, root))
            .ToDictionary(g => g.Key, g => g.Max(p => p.Value.TotalSeconds));
}
