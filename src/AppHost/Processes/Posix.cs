using System.Globalization;
using System.Runtime.InteropServices;

namespace CrmPlatform.AppHost.Processes;

/// <summary>Signals and <c>/proc</c> facts that <see cref="System.Diagnostics.Process"/> does not offer.</summary>
public static class Posix
{
    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    public static bool IsRoot => Environment.IsPrivilegedProcess;

    public static bool Signal(int pid, int signal) => kill(pid, signal) == 0;

    /// <summary>A zombie is dead for our purposes: only its parent can still reap it.</summary>
    public static bool IsAlive(int pid) => ReadStat(pid) is { } stat && stat[0] != "Z";

    /// <summary>
    /// When the process started, in clock ticks since boot. Together with the pid it names one process for good, even after
    /// a reused pid, and it survives exec (setsid and setpriv exec into the server).
    /// </summary>
    public static long? StartTime(int pid) =>
        ReadStat(pid) is { } stat ? long.Parse(stat[19], CultureInfo.InvariantCulture) : null;

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
