using System.Text.Json;
using CrmPlatform.AppHost.Processes;

namespace CrmPlatform.AppHost.Orchestration;

/// <summary>
/// <c>run/NAME.pid</c>: the processes of each running resource, so that a next AppHost can stop what a killed one left
/// running. A process is identified by pid and start time, so a pid reused by an unrelated process is never touched.
/// </summary>
public sealed class PidFiles(string directory, ILogger logger)
{
    private readonly Lock _gate = new();

    public string Directory { get; } = directory;

    public void Add(string resource, int pid, int stopSignal)
    {
        if (Posix.StartTime(pid) is not { } startTime)
        {
            return;
        }

        Update(resource, file => file with
        {
            Processes = [.. file.Processes.Where(p => Posix.StartTime(p.Pid) == p.StartTime), new(pid, startTime, Posix.CommandLine(pid), stopSignal)],
        });
    }

    /// <summary>epmd daemonizes, so it is found by its port, not its pid.</summary>
    public void AddEpmd(string resource, int port) => Update(resource, file => file with { EpmdPort = port });

    public void Remove(string resource)
    {
        lock (_gate)
        {
            File.Delete(PathOf(resource));
        }
    }

    /// <summary>Stops (then kills) every process recorded by an earlier run that is still alive.</summary>
    public async Task StopLeftoversAsync()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return;
        }

        var files = System.IO.Directory.GetFiles(Directory, "*.pid")
            .Select(path => (Path: path, Content: JsonSerializer.Deserialize<PidFile>(File.ReadAllText(path))!))
            .ToList();
        var leftovers = files.SelectMany(file => file.Content.Processes).Where(IsRunning).ToList();
        foreach (var process in leftovers)
        {
            var commandLine = Posix.CommandLine(process.Pid);
            logger.LogWarning("Stopping pid {Pid} left running by an earlier AppHost: {CommandLine}",
                process.Pid, commandLine.Length > 100 ? commandLine[..100] + "…" : commandLine);
            Posix.Signal(process.Pid, process.StopSignal);
        }

        await WaitUntilGoneAsync(leftovers, TimeSpan.FromSeconds(20));
        foreach (var process in leftovers.Where(IsRunning))
        {
            Posix.Signal(process.Pid, Posix.SIGKILL);
        }

        await WaitUntilGoneAsync(leftovers, TimeSpan.FromSeconds(5));

        foreach (var (path, content) in files)
        {
            if (content.EpmdPort is { } port)
            {
                await RabbitMq.RabbitMqServer.KillEpmdAsync(port);
            }

            File.Delete(path);
        }
    }

    private static bool IsRunning(TrackedProcess process) =>
        Posix.StartTime(process.Pid) == process.StartTime && Posix.IsAlive(process.Pid);

    private static async Task WaitUntilGoneAsync(List<TrackedProcess> processes, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (processes.Any(IsRunning) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
    }

    private void Update(string resource, Func<PidFile, PidFile> change)
    {
        lock (_gate)
        {
            var path = PathOf(resource);
            var file = File.Exists(path) ? JsonSerializer.Deserialize<PidFile>(File.ReadAllText(path))! : new PidFile([], null);
            File.WriteAllText(path, JsonSerializer.Serialize(change(file)));
        }
    }

    private string PathOf(string resource) => Path.Combine(Directory, $"{resource}.pid");

    private sealed record PidFile(IReadOnlyList<TrackedProcess> Processes, int? EpmdPort);

    private sealed record TrackedProcess(int Pid, long StartTime, string CommandLine, int StopSignal);
}
