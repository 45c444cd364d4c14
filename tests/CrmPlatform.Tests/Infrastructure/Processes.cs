namespace CrmPlatform.Tests.Infrastructure;

/// <summary>Linux processes as /proc shows them, to find and kill what the platform runs.</summary>
public static class Processes
{
    public static bool IsAlive(int pid) =>
        File.Exists($"/proc/{pid}/stat") && File.ReadAllText($"/proc/{pid}/stat").Split(')')[^1].Trim()[0] != 'Z';

    /// <summary>Every living process below <paramref name="pid"/>.</summary>
    public static IReadOnlyList<int> Descendants(int pid)
    {
        var parents = AllPids().Select(p => (Pid: p, Parent: ParentOf(p))).ToList();
        List<int> found = [];
        for (var level = new List<int> { pid }; level.Count > 0;)
        {
            level = [.. parents.Where(p => level.Contains(p.Parent)).Select(p => p.Pid)];
            found.AddRange(level);
        }

        return [.. found.Where(IsAlive)];
    }

    /// <summary>Living processes whose command line mentions <paramref name="text"/>, as "pid: command line".</summary>
    public static IReadOnlyList<string> Mentioning(string text) =>
        [.. AllPids().Where(pid => pid != Environment.ProcessId && IsAlive(pid))
            .Select(pid => (pid, CommandLine(pid)))
            .Where(p => p.Item2.Contains(text, StringComparison.Ordinal))
            .Select(p => $"{p.pid}: {p.Item2}")];

    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }

    public static void Kill(int pid) => System.Diagnostics.Process.GetProcessById(pid).Kill();

    /// <summary>SIGTERM: what a service manager (or Ctrl+C's twin) sends to ask for a graceful stop.</summary>
    public static void Terminate(int pid) => Assert.Equal(0, kill(pid, 15));

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    private static IEnumerable<int> AllPids() =>
        Directory.GetDirectories("/proc").Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0).Where(pid => pid > 0);

    private static int ParentOf(int pid)
    {
        try
        {
            return int.Parse(File.ReadAllText($"/proc/{pid}/stat").Split(')')[^1].Trim().Split(' ')[1]);
        }
        catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }
}
