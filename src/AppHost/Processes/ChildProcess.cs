using System.Diagnostics;

namespace CrmPlatform.AppHost.Processes;

/// <summary>
/// A child process in a session of its own, its output lines sent to a callback, stopped by a signal and killed if it
/// does not stop in time.
/// </summary>
internal sealed class ChildProcess
{
    private const int TailLength = 40;

    private readonly Process _process;
    private readonly Action<string>? _output;
    private readonly Queue<string> _tail = new();
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(Process process, Action<string>? output)
    {
        _process = process;
        _output = output;
    }

    public int Id { get; private set; }

    /// <summary>Completes with the exit code (128 + signal when killed by a signal) however the process ends.</summary>
    public Task<int> Exited => _exited.Task;

    public bool HasExited => _exited.Task.IsCompleted;

    /// <summary>The last lines of output, for error messages.</summary>
    public string Tail
    {
        get
        {
            lock (_tail)
            {
                return string.Join(Environment.NewLine, _tail);
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="fileName"/> through <c>setsid</c>, which execs in place (same pid): a Ctrl+C in the terminal
    /// then reaches only the AppHost, which stops the children itself, in order.
    /// </summary>
    public static ChildProcess Start(
        string fileName,
        IEnumerable<string> arguments,
        Action<string>? output,
        string? workingDirectory = null,
        IEnumerable<KeyValuePair<string, string>>? environment = null)
    {
        var info = new ProcessStartInfo
        {
            FileName = "setsid",
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        info.ArgumentList.Add(fileName);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? [])
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process, output);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        process.Exited += (_, _) => _ = child.OnExitedAsync();

        process.Start();
        child.Id = process.Id;
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Runs a short command to its end and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        IEnumerable<KeyValuePair<string, string>>? environment = null,
        string? standardInput = null,
        CancellationToken cancellationToken = default)
    {
        var info = new ProcessStartInfo
        {
            FileName = fileName,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? [])
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info)!;
        // Secrets go through stdin so that they never show in a process list.
        if (standardInput is not null)
        {
            await process.StandardInput.WriteLineAsync(standardInput);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, (await stdout + await stderr).Trim());
    }

    public void Signal(int signal)
    {
        if (!HasExited)
        {
            Posix.Signal(Id, signal);
        }
    }

    /// <summary>Sends <paramref name="signal"/>, waits up to <paramref name="timeout"/>, then kills the process tree.</summary>
    public async Task<int> StopAsync(int signal, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        Signal(signal);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await Exited.WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            return await Exited;
        }
    }

    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_tail)
        {
            _tail.Enqueue(line);
            if (_tail.Count > TailLength)
            {
                _tail.Dequeue();
            }
        }

        _output?.Invoke(line);
    }

    private async Task OnExitedAsync()
    {
        // Let the pipes drain so the last lines (often the reason) are out before the exit is reported; a daemonized
        // grandchild such as epmd could hold them open forever, hence the limit.
        await Task.WhenAny(_process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(1)));
        _exited.TrySetResult(_process.ExitCode);
    }
}
