using System.Diagnostics;

namespace CrmPlatform.AppHost;

/// <summary>
/// The short-lived tools the resources need around their servers (initdb, chown, rabbitmqctl). The servers themselves
/// are run and stopped by Aspire's orchestrator, never from here.
/// </summary>
internal static class ChildProcess
{
    public static bool IsRoot { get; } = Environment.UserName == "root";

    /// <summary>SIGTERM, which .NET has no call for (Process.Kill is SIGKILL).</summary>
    public static void Terminate(int pid) => _ = kill(pid, 15);

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    /// <summary>Runs to the end and returns the exit code with what it printed (both streams).</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = Task.WhenAll(process.StandardOutput.ReadToEndAsync(cancellationToken), process.StandardError.ReadToEndAsync(cancellationToken));
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, string.Concat(await output).Trim());
    }

    /// <summary>Runs to the end; a failure throws with what it printed.</summary>
    public static async Task<string> RunCheckedAsync(
        string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
    {
        var (exitCode, output) = await RunAsync(fileName, arguments, cancellationToken, environment);
        return exitCode == 0 ? output : throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} failed ({exitCode}): {output}");
    }
}
