using System.Globalization;
using System.Runtime.InteropServices;

namespace CrmPlatform.Bench.Shared;

/// <summary>One process as <c>/proc</c> showed it at one moment.</summary>
/// <param name="StartTime">Clock ticks since boot: with the pid it names one process for good, even if the pid is reused.</param>
/// <param name="RssKiB">VmRSS from <c>/proc/PID/status</c>.</param>
/// <param name="CpuTicks">CPU time used so far, its own and that of its children it has waited for (utime + stime + cutime + cstime), in clock ticks.</param>
public sealed record ProcessInfo(int Pid, int ParentPid, long StartTime, string CommandLine, long RssKiB, long CpuTicks);

/// <summary>Signals and the <c>/proc</c> facts that <see cref="System.Diagnostics.Process"/> does not offer (Linux only).</summary>
public static class Procfs
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    public static bool Signal(int pid, int signal) => kill(pid, signal) == 0;

    /// <summary>A zombie is dead for our purposes: only its parent can still reap it.</summary>
    public static bool IsAlive(int pid) => ReadStat(pid) is { } stat && stat[0] != "Z";

    /// <summary>Alive, and still the same process (not a reused pid).</summary>
    public static bool IsAlive(ProcessInfo process) =>
        ReadStat(process.Pid) is { } stat && stat[0] != "Z" && long.Parse(stat[19], CultureInfo.InvariantCulture) == process.StartTime;

    public static ProcessInfo? Read(int pid)
    {
        if (ReadStat(pid) is not { } stat || stat[0] == "Z")
        {
            return null;
        }

        var cpu = stat[11..15].Sum(ticks => long.Parse(ticks, CultureInfo.InvariantCulture));
        return new ProcessInfo(pid, int.Parse(stat[1], CultureInfo.InvariantCulture), long.Parse(stat[19], CultureInfo.InvariantCulture),
            CommandLine(pid), RssKiB(pid), cpu);
    }

    /// <summary>Every living process.</summary>
    public static IReadOnlyList<ProcessInfo> All() =>
        [.. Directory.GetDirectories("/proc")
            .Select(dir => int.TryParse(Path.GetFileName(dir), out var pid) ? pid : 0)
            .Where(pid => pid > 0)
            .Select(Read)
            .OfType<ProcessInfo>()];

    /// <summary>The given processes and every living process below them, each once.</summary>
    public static IReadOnlyList<ProcessInfo> WithDescendants(IReadOnlyList<ProcessInfo> all, IEnumerable<int> roots)
    {
        var found = new HashSet<int>(roots.Where(pid => all.Any(p => p.Pid == pid)));
        for (var level = found.ToList(); level.Count > 0;)
        {
            level = [.. all.Where(p => level.Contains(p.ParentPid) && found.Add(p.Pid)).Select(p => p.Pid)];
        }

        return [.. all.Where(p => found.Contains(p.Pid))];
    }

    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>The environment a process was started with (<c>/proc/PID/environ</c>; readable by its owner or root).</summary>
    public static IReadOnlyDictionary<string, string> Environment(int pid)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in File.ReadAllText($"/proc/{pid}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                variables[entry[..equals]] = entry[(equals + 1)..];
            }
        }

        return variables;
    }

    /// <summary>Resident set size in KiB (<c>VmRSS</c>); 0 for a process that has none (a kernel thread) or is gone.</summary>
    public static long RssKiB(int pid) => KiBField($"/proc/{pid}/status", "VmRSS:");

    /// <summary>
    /// Proportional set size in KiB (<c>Pss</c> from <c>/proc/PID/smaps_rollup</c>): each shared page divided among the
    /// processes that map it, so that the PSS of several processes adds up, where RSS counts shared code once per process.
    /// </summary>
    public static long PssKiB(int pid) => KiBField($"/proc/{pid}/smaps_rollup", "Pss:");

    /// <summary>A "<c>Key:   1234 kB</c>" line of a /proc file; 0 when it is missing or the process is gone.</summary>
    private static long KiBField(string path, string key)
    {
        try
        {
            var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>Clock ticks per second of <see cref="ProcessInfo.CpuTicks"/> (USER_HZ, 100 on Linux).</summary>
    public const double TicksPerSecond = 100;

    /// <summary>The 1, 5 and 15 minute load averages, as <c>uptime</c> prints them.</summary>
    /// <summary>
    /// Waits until the one-minute load average is below <paramref name="below"/> (or <paramref name="atMost"/> has
    /// passed): the platform's start leaves a load that decays over a minute, and runs measured in it are slower.
    /// </summary>
    public static async Task<double> SettleAsync(double below, TimeSpan atMost)
    {
        var until = DateTime.UtcNow + atMost;
        double load;
        while ((load = double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)) >= below
            && DateTime.UtcNow < until)
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        return load;
    }

    public static string LoadAverage() =>
        string.Join(", ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    /// <summary>The fields of <c>/proc/PID/stat</c> after the command name, so index 0 is field 3 (the state).</summary>
    private static string[]? ReadStat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
