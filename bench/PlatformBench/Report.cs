using static CrmPlatform.Bench.Shared.Stats;

namespace CrmPlatform.PlatformBench;

/// <summary>The runs as Markdown: medians per platform with new/old, then every run with its load averages.</summary>
internal static class Report
{
    private sealed record Measure(string Name, string Unit, Func<RunResult, double> Value, string Format = "F1");

    public static void Print(IReadOnlyList<RunResult> results, Options options)
    {
        var targets = results.Select(r => r.Target).Distinct().ToList();
        var measures = Measures(options);
        var runs = targets.ToDictionary(t => t, t => results.Where(r => r.Target == t).ToList());

        Console.WriteLine($"Medians of {options.Runs} run(s) per platform{(targets.Count > 1 ? ", interleaved (" + string.Join(", ", targets) + ", …)" : "")}; " +
                          $"{options.Updates} updates, {options.Gets} GETs, memory at the end of {options.IdleSeconds} s idle after the warm start.");
        Console.WriteLine();
        Console.WriteLine($"| measure | {string.Join(" | ", targets)} |{(targets.Count == 2 ? " new/old |" : "")}");
        Console.WriteLine($"|---|{string.Concat(targets.Select(_ => "---|"))}{(targets.Count == 2 ? "---|" : "")}");
        foreach (var measure in measures)
        {
            var medians = targets.Select(t => Median(runs[t].Select(measure.Value))).ToList();
            var ratio = targets.Count == 2 && medians[0] > 0 ? $" {medians[1] / medians[0]:F2}× |" : targets.Count == 2 ? " – |" : "";
            Console.WriteLine($"| {measure.Name} | {string.Join(" | ", medians.Select(m => $"{m.ToString(measure.Format, System.Globalization.CultureInfo.InvariantCulture)} {measure.Unit}"))} |{ratio}");
        }

        Console.WriteLine();
        Console.WriteLine("Every run (load averages from /proc/loadavg, as `uptime` prints them, before → after):");
        Console.WriteLine();
        Console.WriteLine("| run | load before → after | cold s | warm s | stop s (cold, work) | orchestration MiB | all MiB | visible p50/p99 ms | PUT p50 ms | GET gw/direct p50 ms | left running | limits lifted |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var run in results)
        {
            Console.WriteLine($"| {run.Target} #{run.Round} | {run.LoadBefore} → {run.LoadAfter} | {run.Cold.Healthy.TotalSeconds:F1} | {run.Warm.Healthy.TotalSeconds:F1} | " +
                              $"{run.StopCold.Elapsed.TotalSeconds:F1}, {run.StopWarm.Elapsed.TotalSeconds:F1} | {MiB(run, Usage.Orchestration):F0} | {MiB(run, Usage.Categories):F0} | " +
                              $"{Percentile(run.Latency.VisibleMs, 50):F1} / {Percentile(run.Latency.VisibleMs, 99):F1} | {Percentile(run.Latency.PutMs, 50):F1} | " +
                              $"{Percentile(run.Latency.GatewayGetMs, 50):F2} / {Percentile(run.Latency.DirectGetMs, 50):F2} | " +
                              $"{run.StopCold.LeftAtExit.Count + run.StopWarm.LeftAtExit.Count} at exit, {run.StopCold.LeftAfterGrace.Count + run.StopWarm.LeftAfterGrace.Count} after 10 s | {(run.RateLimitsLifted ? "yes" : "no")} |");
        }
    }

    private static List<Measure> Measures(Options options)
    {
        List<Measure> measures =
        [
            new("cold start (empty state folder) until the gateway's /health answers 200", "s", r => r.Cold.Healthy.TotalSeconds),
            new("cold start until the app host's ready line", "s", r => r.Cold.ReadyLine.TotalSeconds),
            new("warm start (same folder) until the gateway's /health answers 200", "s", r => r.Warm.Healthy.TotalSeconds),
            new("warm start until the app host's ready line", "s", r => r.Warm.ReadyLine.TotalSeconds),
            new("stop after the cold start (SIGTERM to the app host until it exits)", "s", r => r.StopCold.Elapsed.TotalSeconds),
            new("stop after the latency run", "s", r => r.StopWarm.Elapsed.TotalSeconds),
            .. StartRows("cold", r => r.ColdStarts, r => r.Cold.Healthy.TotalSeconds),
            .. StartRows("warm", r => r.WarmStarts, r => r.Warm.Healthy.TotalSeconds),
            .. StopRows("after the cold start", r => r.ColdStops),
            .. StopRows("after the latency run", r => r.WarmStops),
            new("processes of the platform left running when the app host had exited (both stops)", "", r => r.StopCold.LeftAtExit.Count + r.StopWarm.LeftAtExit.Count, "F0"),
        ];
        foreach (var category in Usage.Categories)
        {
            measures.Add(new($"{category.Label}: processes", "", r => r.Usage[category].Processes, "F0"));
            measures.Add(new($"… RSS", "MiB", r => MiB(r, [category]), "F0"));
            measures.Add(new($"… PSS", "MiB", r => PssMiB(r, [category]), "F0"));
            measures.Add(new($"… CPU time while idle ({options.IdleSeconds} s)", "s", r => r.Usage[category].CpuSeconds, "F2"));
        }

        measures.AddRange(
        [
            new("orchestration layer (app host + DCP + dashboard): RSS", "MiB", r => MiB(r, Usage.Orchestration), "F0"),
            new("… PSS", "MiB", r => PssMiB(r, Usage.Orchestration), "F0"),
            new("… CPU time while idle", "s", r => Cpu(r, Usage.Orchestration), "F2"),
            new("orchestration layer with every `dotnet run`: RSS", "MiB", r => MiB(r, [.. Usage.Orchestration, .. Usage.Runners]), "F0"),
            new("… PSS", "MiB", r => PssMiB(r, [.. Usage.Orchestration, .. Usage.Runners]), "F0"),
            new("every process of the platform: RSS (shared pages counted once per process)", "MiB", r => MiB(r, Usage.Categories), "F0"),
            new("… PSS (shared pages divided among their processes)", "MiB", r => PssMiB(r, Usage.Categories), "F0"),
            new("… CPU time while idle", "s", r => Cpu(r, Usage.Categories), "F2"),
            new($"write in Contacts → visible in Sales, p50 ({options.Updates} updates)", "ms", r => Percentile(r.Latency.VisibleMs, 50)),
            new("write → visible in Sales, p99", "ms", r => Percentile(r.Latency.VisibleMs, 99)),
            new("write → visible in Sales, max", "ms", r => r.Latency.VisibleMs.Max()),
            new("the PUT alone (gateway → Contacts → PostgreSQL), p50", "ms", r => Percentile(r.Latency.PutMs, 50)),
            new("the PUT alone, p99", "ms", r => Percentile(r.Latency.PutMs, 99)),
            new($"GET opportunity through the gateway, p50 ({options.Gets} sequential)", "ms", r => Percentile(r.Latency.GatewayGetMs, 50), "F2"),
            new("GET through the gateway, p99", "ms", r => Percentile(r.Latency.GatewayGetMs, 99), "F2"),
            new("GET opportunity directly from Sales, p50", "ms", r => Percentile(r.Latency.DirectGetMs, 50), "F2"),
            new("GET directly from Sales, p99", "ms", r => Percentile(r.Latency.DirectGetMs, 99), "F2"),
            new("gateway / direct, p50", "×", r => Percentile(r.Latency.GatewayGetMs, 50) / Percentile(r.Latency.DirectGetMs, 50), "F2"),
        ]);
        return measures;
    }

    /// <summary>Seconds after the started process when each part began (a part the platform lacks counts as 0).</summary>
    private static IEnumerable<Measure> StartRows(string kind, Func<RunResult, IReadOnlyDictionary<string, Timeline.Span>> starts, Func<RunResult, double> healthy)
    {
        double First(RunResult r, string part) => starts(r).TryGetValue(part, out var span) ? span.First : 0;
        double Last(RunResult r, string part) => starts(r).TryGetValue(part, out var span) ? span.Last : 0;
        string Runner(string which) => $"{Usage.ServiceRunners.Key}:{which}";
        string Program(string which) => $"{Usage.Services.Key}:{which}";
        return
        [
            new($"{kind} start, timeline: the app host process began at", "s", r => First(r, Usage.AppHost.Key)),
            new("… DCP began at", "s", r => First(r, Usage.Dcp.Key)),
            new("… the dashboard began at", "s", r => First(r, Usage.Dashboard.Key)),
            new("… PostgreSQL's server began at", "s", r => First(r, Usage.Postgres.Key)),
            new("… RabbitMQ began at", "s", r => First(r, Usage.RabbitMq.Key)),
            new("… the mail sink's program began at (its `dotnet run` just before, in the new platform)", "s", r => First(r, Program(Timeline.Mail))),
            new("… the first of the five domain services' `dotnet run` began at", "s", r => First(r, Runner(Timeline.Domain))),
            new("… … the last", "s", r => Last(r, Runner(Timeline.Domain))),
            new("… the first of their programs began at", "s", r => First(r, Program(Timeline.Domain))),
            new("… … the last", "s", r => Last(r, Program(Timeline.Domain))),
            new("… the gateway's `dotnet run` began at", "s", r => First(r, Runner(Timeline.Gateway))),
            new("… the gateway's program began at", "s", r => First(r, Program(Timeline.Gateway))),
            new("… the gateway's /health answered 200 at", "s", healthy),
        ];
    }

    /// <summary>Seconds after the SIGTERM when the last process of each part was gone.</summary>
    private static IEnumerable<Measure> StopRows(string when, Func<RunResult, IReadOnlyDictionary<Usage.Category, double>> stops)
    {
        double Gone(RunResult r, Usage.Category c) => stops(r).GetValueOrDefault(c);
        return
        [
            new($"stop {when}, timeline: the last service program gone at", "s", r => Gone(r, Usage.Services)),
            new($"… the last `dotnet run` for a service gone at", "s", r => Gone(r, Usage.ServiceRunners)),
            new($"… PostgreSQL gone at", "s", r => Gone(r, Usage.Postgres)),
            new($"… RabbitMQ gone at", "s", r => Gone(r, Usage.RabbitMq)),
            new($"… the dashboard gone at", "s", r => Gone(r, Usage.Dashboard)),
            new($"… the app host gone at", "s", r => Gone(r, Usage.AppHost)),
            new($"… the last DCP process gone at", "s", r => Gone(r, Usage.Dcp)),
        ];
    }

    private static double MiB(RunResult run, IEnumerable<Usage.Category> categories) => categories.Sum(c => run.Usage[c].RssKiB) / 1024.0;

    private static double PssMiB(RunResult run, IEnumerable<Usage.Category> categories) => categories.Sum(c => run.Usage[c].PssKiB) / 1024.0;

    private static double Cpu(RunResult run, IEnumerable<Usage.Category> categories) => categories.Sum(c => run.Usage[c].CpuSeconds);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
