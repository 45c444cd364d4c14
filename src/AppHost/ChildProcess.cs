using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace CrmPlatform.AppHost;

/// <summary>
/// Short-lived tools the resources need around their long-running process (initdb, chown, rabbitmqctl). The servers
/// themselves are run and stopped by Aspire's orchestrator, never from here.
/// </summary>
internal static class ChildProcess
{
    public static bool IsRoot { get; } = Environment.UserName == "root";

    /// <summary>Runs to the end; every line it prints goes to <paramref name="log"/> (a resource's console) when given.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null, string? standardInput = null, ILogger? log = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = new Process { StartInfo = start };
        var output = new List<string>();
        void Record(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.Add(line);
            }

            log?.LogInformation("{Line}", line);
        }

        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
            process.StandardInput.Close();
        }

        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        lock (output)
        {
            return (process.ExitCode, string.Join('\n', output));
        }
    }

    public static async Task RunCheckedAsync(
        string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken, ILogger? log = null)
    {
        var (exitCode, output) = await RunAsync(fileName, arguments, cancellationToken, log: log);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} failed with exit code {exitCode}: {output}");
        }
    }
}
