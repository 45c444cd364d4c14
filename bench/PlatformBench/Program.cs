using System.Globalization;
using CrmPlatform.Bench.Shared;
using CrmPlatform.PlatformBench;

// Usage (see docs/benchmarks.md): dotnet build CrmPlatform.sln -c Release && dotnet run -c Release --no-build --project bench/PlatformBench --
//     [--runs 3] [--old /path/to/old/worktree] [--idle 30] [updates] [gets]
// With --old, each round runs the old platform and then this one (old, new, old, new…), so that both see the same load.
var options = Options.Parse(args);
// This measures latency, not the limiter: lift the gateway's rate limits. They reach the gateway through the app
// host's environment (the old app host and DCP both pass their environment on); each run checks the gateway's.
var environment = new Dictionary<string, string>
{
    ["RateLimits__PerClient"] = "1000000",
    ["RateLimits__PerTenant"] = "1000000",
};
var timeout = TimeSpan.FromMinutes(10);
void Log(string message) => Console.Error.WriteLine($"{DateTime.Now:HH:mm:ss} {message}");

var results = new List<RunResult>();
for (var round = 1; round <= options.Runs; round++)
{
    if (options.OldRoot is { } old)
    {
        results.Add(await RunAsync("old", round, false, (state, port, secret) => OldPlatform.Start(old, state, port, secret, environment)));
    }

    results.Add(await RunAsync("new", round, true, (state, port, secret) => PlatformProcess.StartAspire(state, port, secret, environment)));
}

Report.Print(results, options);

async Task<RunResult> RunAsync(string target, int round, bool stateCreatedByHarness, Func<string, int, string, PlatformProcess> start)
{
    var stateDirectory = Path.Combine(Path.GetTempPath(), $"crm-bench-{Guid.NewGuid():N}");
    var gatewayPort = FreePort.Pick();
    var adminSecret = Guid.NewGuid().ToString("N");
    var loadBefore = Procfs.LoadAverage();
    Log($"{target} #{round}: load {loadBefore}; state {stateDirectory}");
    try
    {
        (TimeSpan Healthy, TimeSpan ReadyLine) cold;
        PlatformProcess.StopResult stopCold;
        IReadOnlyDictionary<string, Timeline.Span> coldStarts;
        IReadOnlyDictionary<Usage.Category, double> coldStops;
        await using (var platform = start(stateDirectory, gatewayPort, adminSecret))
        {
            cold = await WaitAsync(platform, "cold");
            coldStarts = Timeline.Starts(platform);
            stopCold = await StopAsync(platform, "after the cold start");
            coldStops = Timeline.Stops(stopCold, platform.AppHostPid, platform.RootPid);
        }

        await using (var platform = start(stateDirectory, gatewayPort, adminSecret))
        {
            var warm = await WaitAsync(platform, "warm");
            var warmStarts = Timeline.Starts(platform);
            Log($"{target} #{round}: {options.IdleSeconds} s idle, then memory and the CPU time used meanwhile");
            var usage = await Usage.MeasureIdleAsync(platform, TimeSpan.FromSeconds(options.IdleSeconds), Log);
            var gatewayEnvironment = Procfs.Environment(platform.ServiceProcess("Gateway").Pid);
            var limitsLifted = environment.All(variable => gatewayEnvironment.GetValueOrDefault(variable.Key) == variable.Value);
            Log($"{target} #{round}: rate limits lifted in the gateway's environment: {limitsLifted}; latency ({options.Updates} updates, {options.Gets} GETs)");
            var latency = await Latency.MeasureAsync(platform, adminSecret, options.Updates, options.Gets);
            var stopWarm = await StopAsync(platform, "after the latency run");
            var warmStops = Timeline.Stops(stopWarm, platform.AppHostPid, platform.RootPid);
            var loadAfter = Procfs.LoadAverage();
            Log($"{target} #{round}: done, load {loadAfter}");
            return new RunResult(target, round, loadBefore, loadAfter, cold, stopCold, warm, stopWarm, usage, limitsLifted, latency,
                coldStarts, warmStarts, coldStops, warmStops);
        }
    }
    finally
    {
        if (Directory.Exists(stateDirectory))
        {
            Directory.Delete(stateDirectory, recursive: true);
        }
    }

    async Task<(TimeSpan Healthy, TimeSpan ReadyLine)> WaitAsync(PlatformProcess platform, string kind)
    {
        var times = await platform.WaitUntilHealthyAsync(timeout);
        Log($"{target} #{round}: {kind} start healthy after {times.Healthy.TotalSeconds:F1} s (ready line after {times.ReadyLine.TotalSeconds:F1} s)");
        return times;
    }

    async Task<PlatformProcess.StopResult> StopAsync(PlatformProcess platform, string when)
    {
        var stop = await platform.StopAsync(timeout);
        Log($"{target} #{round}: stop {when} took {stop.Elapsed.TotalSeconds:F1} s; left running at exit: {stop.LeftAtExit.Count}, 10 s later: {stop.LeftAfterGrace.Count}");
        foreach (var process in stop.LeftAtExit)
        {
            Log($"  left at exit: {process.Pid}: {process.CommandLine}{(stop.LeftAfterGrace.Contains(process) ? " (still there 10 s later; killed)" : "")}");
        }

        if (!stateCreatedByHarness && Directory.Exists(platform.StateDirectory) && stop.LeftAtExit.Count > 0)
        {
            Log("  (the old platform created its own state folder)");
        }

        return stop;
    }
}

internal sealed record Options(int Runs, string? OldRoot, int IdleSeconds, int Updates, int Gets)
{
    public static Options Parse(string[] args)
    {
        var (runs, idle) = (1, 30);
        string? old = null;
        var positional = new List<int>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--runs": runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--old": old = Path.GetFullPath(args[++i]); break;
                case "--idle": idle = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: positional.Add(int.Parse(args[i], CultureInfo.InvariantCulture)); break;
            }
        }

        return new Options(runs, old, idle, positional.ElementAtOrDefault(0) is > 0 and var u ? u : 200, positional.ElementAtOrDefault(1) is > 0 and var g ? g : 2000);
    }
}

internal sealed record RunResult(
    string Target, int Round, string LoadBefore, string LoadAfter,
    (TimeSpan Healthy, TimeSpan ReadyLine) Cold, PlatformProcess.StopResult StopCold,
    (TimeSpan Healthy, TimeSpan ReadyLine) Warm, PlatformProcess.StopResult StopWarm,
    IReadOnlyDictionary<Usage.Category, Usage.Share> Usage, bool RateLimitsLifted, LatencyResults Latency,
    IReadOnlyDictionary<string, Timeline.Span> ColdStarts, IReadOnlyDictionary<string, Timeline.Span> WarmStarts,
    IReadOnlyDictionary<Usage.Category, double> ColdStops, IReadOnlyDictionary<Usage.Category, double> WarmStops);
