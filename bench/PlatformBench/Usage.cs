using System.Text.RegularExpressions;
using CrmPlatform.Bench.Shared;

namespace CrmPlatform.PlatformBench;

/// <summary>
/// What a running, idle platform's processes hold and spend, summed by what they are: resident memory (VmRSS, and PSS,
/// which counts a shared page once across processes) at the end of an idle window, and CPU time used during it.
/// </summary>
internal static partial class Usage
{
    public sealed record Category(string Key, string Label);

    public static readonly Category AppHost = new("apphost", "app host process");
    public static readonly Category AppHostRunner = new("apphost-run", "`dotnet run` in front of the app host");
    public static readonly Category Dcp = new("dcp", "DCP (start-apiserver, run-controllers, one monitor-process per executable)");
    public static readonly Category Dashboard = new("dashboard", "dashboard (Aspire.Dashboard)");
    public static readonly Category ServiceRunners = new("service-run", "`dotnet run` in front of each service (how DCP starts a project)");
    public static readonly Category Services = new("services", "services (identity, contacts, sales, marketing, service, gateway; mail in the new platform)");
    public static readonly Category Postgres = new("postgres", "PostgreSQL (postmaster, workers, one backend per connection)");
    public static readonly Category RabbitMq = new("rabbitmq", "RabbitMQ (Erlang VM, its helpers, epmd)");
    public static readonly Category Other = new("other", "other");

    public static readonly Category[] Categories = [AppHost, AppHostRunner, Dcp, Dashboard, ServiceRunners, Services, Postgres, RabbitMq, Other];

    /// <summary>The orchestration layer: what runs besides the services, the database and the broker, wrappers aside.</summary>
    public static readonly Category[] Orchestration = [AppHost, Dcp, Dashboard];

    public static readonly Category[] Runners = [AppHostRunner, ServiceRunners];

    public sealed record Share(int Processes, long RssKiB, long PssKiB, double CpuSeconds);

    /// <summary>Waits <paramref name="window"/> with the platform left alone, then reads every process of it.</summary>
    public static async Task<IReadOnlyDictionary<Category, Share>> MeasureIdleAsync(PlatformProcess platform, TimeSpan window, Action<string> log)
    {
        var before = platform.Processes().ToDictionary(p => (p.Pid, p.StartTime));
        await Task.Delay(window);
        var appHost = platform.AppHostPid;
        var shares = Categories.ToDictionary(c => c, _ => new Share(0, 0, 0, 0));
        foreach (var process in platform.Processes())
        {
            var category = Classify(process, appHost, platform.RootPid);
            var pss = Procfs.PssKiB(process.Pid);
            // A process started during the window counts with everything it used.
            var cpu = (process.CpuTicks - (before.TryGetValue((process.Pid, process.StartTime), out var earlier) ? earlier.CpuTicks : 0)) / Procfs.TicksPerSecond;
            log($"  RSS {process.RssKiB / 1024.0,6:F1} MiB  PSS {pss / 1024.0,6:F1} MiB  CPU {cpu,5:F2} s  {category.Key,-11} {process.Pid}: {Shorten(process.CommandLine)}");
            var share = shares[category];
            shares[category] = new Share(share.Processes + 1, share.RssKiB + process.RssKiB, share.PssKiB + pss, share.CpuSeconds + cpu);
        }

        return shares;
    }

    public static Category Classify(ProcessInfo process, int appHost, int root)
    {
        var command = process.CommandLine;
        var program = Path.GetFileName(command.Split(' ')[0]);
        return process.Pid == appHost ? AppHost
            : process.Pid == root ? AppHostRunner
            : command.Contains("Aspire.Dashboard", StringComparison.Ordinal) ? Dashboard
            // DCP's own processes, and the container CLI it calls (`docker --version`, `docker network ls`) while it runs.
            : program.StartsWith("dcp", StringComparison.Ordinal) || program == "docker" ? Dcp
            : program == "dotnet" && command.Contains(" run ", StringComparison.Ordinal) ? ServiceRunners
            : ServiceProgram().IsMatch(command) ? Services
            : program is "postgres" or "setpriv" || command.StartsWith("postgres:", StringComparison.Ordinal) || command.Contains("postgres setpriv", StringComparison.Ordinal) ? Postgres
            : program is "beam.smp" or "epmd" or "erl_child_setup" or "inet_gethost" or "rabbitmq-server" or "sh" or "erl" ? RabbitMq
            : Other;
    }

    private static string Shorten(string command) => command.Length > 150 ? command[..150] + "…" : command;

    [GeneratedRegex(@"CrmPlatform\.(Identity|Contacts|Sales|Marketing|Service|Gateway|Mail)(\.dll)?(\s|$)")]
    private static partial Regex ServiceProgram();
}
