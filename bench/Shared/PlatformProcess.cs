using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CrmPlatform.Bench.Shared;

/// <summary>
/// A whole platform started as a separate process, the way a person starts it, for a harness to measure from outside:
/// healthy when the gateway's <c>/health</c> answers 200 (it asks every service's <c>/health</c>, and those check
/// PostgreSQL and RabbitMQ) and the app host has printed its ready line; stopped with SIGTERM to the app host.
/// <see cref="StartAspire"/> starts this repository's app host; a harness can start another build (an older platform)
/// with the constructor.
/// </summary>
public sealed class PlatformProcess : IAsyncDisposable
{
    /// <summary>What Aspire's app host prints once DCP has been given every resource (not yet healthy).</summary>
    public const string AspireReadyLine = "Distributed application started";

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly string _readyLine;
    private readonly Func<ProcessInfo, bool> _isAppHost;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly TaskCompletionSource<TimeSpan> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HttpClient _probe = new() { Timeout = TimeSpan.FromSeconds(5) };
    private int? _appHostPid;

    /// <param name="start">The command that starts the app host (directly, or through a wrapper such as <c>dotnet run</c>).</param>
    /// <param name="gateway">Where the platform's gateway listens.</param>
    /// <param name="stateDirectory">The platform's state folder: any process mentioning it belongs to this platform.</param>
    /// <param name="readyLine">Text the app host prints once it has started everything.</param>
    /// <param name="isAppHost">Which process of the tree started by <paramref name="start"/> is the app host itself.</param>
    public PlatformProcess(ProcessStartInfo start, Uri gateway, string stateDirectory, string readyLine, Func<ProcessInfo, bool> isAppHost)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        Gateway = gateway;
        StateDirectory = stateDirectory;
        _readyLine = readyLine;
        _isAppHost = isAppHost;
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, line) => Record(line.Data);
        _process.ErrorDataReceived += (_, line) => Record(line.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public Uri Gateway { get; }
    public string StateDirectory { get; }

    /// <summary>The pid of the process that was started (for <c>dotnet run</c>, the wrapper, not the app host).</summary>
    public int RootPid => _process.Id;

    /// <summary>The app host's pid, once it runs (the started process itself, or the child <c>dotnet run</c> started).</summary>
    public int AppHostPid => _appHostPid ??= Procfs.WithDescendants(Procfs.All(), [RootPid]).FirstOrDefault(_isAppHost)?.Pid
        ?? throw new InvalidOperationException($"No app host process below {RootPid} yet.");

    /// <summary>Everything the app host printed so far (the last 5,000 lines), for diagnosing a failure.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>
    /// This repository's Aspire app host, started exactly as <c>./run.sh</c> does: <c>dotnet run --project src/AppHost
    /// -c Release --no-build --launch-profile http</c> with the state folder, the gateway's port, the bootstrap client's
    /// secret and the dashboard's own ports on the command line. Build it first (<c>dotnet build src/AppHost -c Release</c>).
    /// </summary>
    /// <param name="stateDirectory">Created here (mode 755: PostgreSQL, running as its own user, must reach into it) if absent.</param>
    /// <param name="environment">Added to the app host's environment (DCP passes it on to the services).</param>
    public static PlatformProcess StartAspire(string stateDirectory, int gatewayPort, string adminSecret, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The harnesses read /proc and send POSIX signals: Linux only, as the platform itself.");
        }

        var root = RepositoryRoot();
        var appHost = Path.Combine(root, "src", "AppHost", "bin", "Release", "net10.0", "CrmPlatform.AppHost.dll");
        if (!File.Exists(appHost))
        {
            throw new InvalidOperationException($"{appHost} is missing: run `dotnet build src/AppHost -c Release` first.");
        }

        Directory.CreateDirectory(stateDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = root };
        foreach (var argument in (string[])["run", "--project", "src/AppHost", "-c", "Release", "--no-build", "--launch-profile", "http", "--",
                     $"--AppHost:StateDir={stateDirectory}",
                     $"--AppHost:GatewayPort={gatewayPort}",
                     $"--Parameters:bootstrap-client-secret={adminSecret}",
                     $"--ASPNETCORE_URLS=http://localhost:{FreePort.Pick()}",
                     $"--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://localhost:{FreePort.Pick()}",
                     $"--ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL=http://localhost:{FreePort.Pick()}",
                     $"--ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://localhost:{FreePort.Pick()}"])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        // The wrapper is `dotnet run …` (its arguments name src/AppHost); the app host is the program it starts.
        return new PlatformProcess(start, new Uri($"http://localhost:{gatewayPort}"), stateDirectory, AspireReadyLine,
            process => process.CommandLine.Contains("CrmPlatform.AppHost", StringComparison.Ordinal) && !process.CommandLine.StartsWith("dotnet run", StringComparison.Ordinal));
    }

    /// <summary>The folder holding CrmPlatform.sln, found upwards from the harness's own output folder.</summary>
    public static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "CrmPlatform.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No CrmPlatform.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>
    /// Waits until the gateway's <c>/health</c> answers 200 and the app host has printed its ready line; fails early if
    /// the app host exits. Returns the time since start of both, and of the ready line alone.
    /// </summary>
    public async Task<(TimeSpan Healthy, TimeSpan ReadyLine)> WaitUntilHealthyAsync(TimeSpan timeout)
    {
        var deadline = _clock.Elapsed + timeout;
        var lastAnswer = "no answer yet";
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The app host exited with code {_process.ExitCode}:\n{Output}");
            }

            // Known early, so that Processes() finds DCP, which leaves the tree (its parent is init) and names the app host.
            _appHostPid ??= Procfs.WithDescendants(Procfs.All(), [RootPid]).FirstOrDefault(_isAppHost)?.Pid;
            if (_ready.Task.IsCompleted)
            {
                (var healthy, lastAnswer) = await AskGatewayHealthAsync();
                if (healthy)
                {
                    return (_clock.Elapsed, await _ready.Task);
                }
            }

            if (_clock.Elapsed > deadline)
            {
                var processes = string.Join('\n', Processes().Select(p => $"  {p.Pid} (parent {p.ParentPid}): {p.CommandLine}"));
                throw new TimeoutException($"The platform was not healthy within {timeout}. The gateway's /health: {lastAnswer}\nProcesses:\n{processes}\nOutput:\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Whether the gateway's <c>/health</c> answered 200, and what it answered (for a diagnosis).</summary>
    private async Task<(bool Healthy, string Answer)> AskGatewayHealthAsync()
    {
        try
        {
            using var response = await _probe.GetAsync(new Uri(Gateway, "/health"));
            return (response.IsSuccessStatusCode, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return (false, ex.Message);
        }
    }

    /// <summary>
    /// Every process of this platform now: the started process and everything below it, plus any process that
    /// mentions the state folder or watches the app host (DCP's <c>--monitor PID</c>) and everything below those, in
    /// case one left the tree.
    /// </summary>
    public IReadOnlyList<ProcessInfo> Processes()
    {
        var all = Procfs.All();
        var monitor = _appHostPid is { } pid ? $"--monitor {pid}" : null;
        var strays = all.Where(p => p.Pid != Environment.ProcessId
            && (p.CommandLine.Contains(StateDirectory, StringComparison.Ordinal) || (monitor is not null && Regex.IsMatch(p.CommandLine, $@"{monitor}(\s|$)"))));
        return Procfs.WithDescendants(all, [RootPid, .. strays.Select(p => p.Pid)]);
    }

    /// <summary>The address of one of the platform's services (e.g. "Sales"), from its process's <c>ASPNETCORE_URLS</c>.</summary>
    public Uri ServiceUrl(string service)
    {
        var process = ServiceProcess(service);
        var urls = Procfs.Environment(process.Pid).GetValueOrDefault("ASPNETCORE_URLS")
            ?? throw new InvalidOperationException($"{process.CommandLine} has no ASPNETCORE_URLS.");
        return new Uri(urls.Split(';').First(url => url.StartsWith("http://", StringComparison.Ordinal)));
    }

    /// <summary>The process of one of the platform's services: the program itself, not a <c>dotnet run</c> in front of it.</summary>
    public ProcessInfo ServiceProcess(string service) =>
        Processes().SingleOrDefault(p => Regex.IsMatch(p.CommandLine, $@"CrmPlatform\.{service}(\.dll)?(\s|$)"))
        ?? throw new InvalidOperationException($"No running process of {service}.");

    /// <summary>
    /// Stops one service for good (e.g. "Sales"): SIGTERM to its process, as a crash or a person would. DCP sees the
    /// <c>dotnet run</c> in front of it end and shows the resource as exited; nothing starts it again.
    /// </summary>
    public async Task StopServiceAsync(string service, TimeSpan timeout)
    {
        var process = ServiceProcess(service);
        Procfs.Signal(process.Pid, Procfs.SIGTERM);
        var clock = Stopwatch.StartNew();
        while (Procfs.IsAlive(process))
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"{service} ({process.Pid}) did not stop within {timeout}.");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>
    /// For looking at plans by hand after a run: when <c>CRM_BENCH_HOLD_UNTIL</c> names a file, the platform stays up,
    /// seeded, until that file exists; <paramref name="database"/> (a connection string) is printed for psql.
    /// </summary>
    public static async Task HoldIfAskedAsync(string database)
    {
        if (Environment.GetEnvironmentVariable("CRM_BENCH_HOLD_UNTIL") is not { } release)
        {
            return;
        }
        Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss} holding the platform until {release} exists; database: {database}");
        while (!File.Exists(release))
        {
            await Task.Delay(1000);
        }
    }

    /// <summary>
    /// A client of the gateway that sends a token obtained with the client-credentials grant, as a partner system would
    /// (for the bootstrap admin client, <c>crm-admin</c> and the secret the platform was started with).
    /// </summary>
    public async Task<HttpClient> CreateGatewayClientAsync(string clientId, string clientSecret)
    {
        var client = new HttpClient { BaseAddress = Gateway };
        using var response = await client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
        }));
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>
    /// What a stop took; what of the platform was still running when the app host had exited, and 10 s later; and when
    /// each process that ran at the SIGTERM was seen gone (polled every 50 ms), for a timeline of the stop.
    /// </summary>
    public sealed record StopResult(
        TimeSpan Elapsed, IReadOnlyList<ProcessInfo> LeftAtExit, IReadOnlyList<ProcessInfo> LeftAfterGrace,
        IReadOnlyDictionary<ProcessInfo, TimeSpan> GoneAfter);

    /// <summary>
    /// Ctrl+C's twin: SIGTERM to the app host, then waits until it and the process that was started have exited.
    /// Whatever of the platform still runs 10 s later is killed, so that a harness leaves nothing behind.
    /// </summary>
    public async Task<StopResult> StopAsync(TimeSpan timeout)
    {
        var running = Processes();
        var appHost = Procfs.Read(AppHostPid);
        var gone = new Dictionary<ProcessInfo, TimeSpan>();
        var clock = Stopwatch.StartNew();
        void NoteGone()
        {
            foreach (var process in running.Where(p => !gone.ContainsKey(p) && !Procfs.IsAlive(p)))
            {
                gone[process] = clock.Elapsed;
            }
        }

        Procfs.Signal(AppHostPid, Procfs.SIGTERM);
        while (!_process.HasExited || (appHost is not null && Procfs.IsAlive(appHost)))
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"The app host did not exit within {timeout} of SIGTERM:\n{Output}");
            }

            NoteGone();
            await Task.Delay(50);
        }

        await _process.WaitForExitAsync();
        var elapsed = clock.Elapsed;
        var leftAtExit = Leftovers(running);
        var leftAfterGrace = leftAtExit;
        while (leftAfterGrace.Count > 0 && clock.Elapsed - elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50);
            NoteGone();
            leftAfterGrace = Leftovers(running);
        }

        NoteGone();
        foreach (var process in leftAfterGrace)
        {
            Procfs.Signal(process.Pid, Procfs.SIGKILL);
        }

        return new StopResult(elapsed, leftAtExit, leftAfterGrace, gone);
    }

    /// <summary>Processes seen while the platform ran that are still the same processes, and any new one that mentions its state folder.</summary>
    private IReadOnlyList<ProcessInfo> Leftovers(IReadOnlyList<ProcessInfo> running) =>
        [.. running.Where(Procfs.IsAlive)
            .Concat(Procfs.All().Where(p => p.Pid != Environment.ProcessId && p.CommandLine.Contains(StateDirectory, StringComparison.Ordinal)))
            .DistinctBy(p => p.Pid)];

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (!_ready.Task.IsCompleted && line.Contains(_readyLine, StringComparison.Ordinal))
        {
            _ready.TrySetResult(_clock.Elapsed);
        }

        _output.Enqueue(line);
        while (_output.Count > 5000 && _output.TryDequeue(out _))
        {
        }
    }

    /// <summary>Stops the platform if it still runs (killing what a stop left), then forgets the process.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                await StopAsync(TimeSpan.FromSeconds(90));
            }
            catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
            {
                foreach (var process in Processes())
                {
                    Procfs.Signal(process.Pid, Procfs.SIGKILL);
                }
            }
        }

        _process.Dispose();
        _probe.Dispose();
    }
}
