using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using CrmPlatform.AppHost.Processes;

namespace CrmPlatform.AppHost.Testing;

/// <summary>
/// Drives a whole AppHost as a separate process, the way a person runs it, for end-to-end tests and benchmarks
/// (our counterpart of Aspire.Hosting.Testing). It reads state through the AppHost's <c>/api/resources</c>.
/// </summary>
public sealed class AppHostProcess : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    // Long enough for listing error queues, which runs rabbitmqctl (an Erlang VM start: seconds on a busy machine).
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private AppHostProcess(Process process, Uri gateway, Uri dashboard, string browserToken)
    {
        _process = process;
        Gateway = gateway;
        Dashboard = dashboard;
        BrowserToken = browserToken;
        _http.BaseAddress = dashboard;
        _http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", browserToken);
    }

    /// <summary>A client of the AppHost's <c>/api/*</c> (resources, commands, telemetry), signed in with the browser token.</summary>
    public HttpClient DashboardApi => _http;

    public Uri Gateway { get; }
    public Uri Dashboard { get; }

    /// <summary>The dashboard's login token (<c>/login?t=</c>), also the bearer token of <c>/api/*</c>.</summary>
    public string BrowserToken { get; }
    public int ProcessId => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <summary>Everything the AppHost printed so far, for diagnosing a failure.</summary>
    public string Output => string.Join('\n', _output);

    public static AppHostProcess Start(string stateDirectory, int gatewayPort, int dashboardPort, params string[] extraArguments)
    {
        var assembly = Path.Combine(Repository.Root, "src", "AppHost", "bin", Repository.Configuration, Repository.TargetFramework, "CrmPlatform.AppHost.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Repository.Root,
        };
        var browserToken = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        foreach (var argument in (string[])[assembly, "--state-dir", stateDirectory, "--gateway-port", $"{gatewayPort}",
                     "--dashboard-url", $"http://localhost:{dashboardPort}", "--browser-token", browserToken,
                     "--otlp-grpc-url", $"http://localhost:{FreePort.Pick()}", "--otlp-http-url", $"http://localhost:{FreePort.Pick()}",
                     .. extraArguments])
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        var host = new AppHostProcess(process, new Uri($"http://localhost:{gatewayPort}"), new Uri($"http://localhost:{dashboardPort}"), browserToken);
        process.OutputDataReceived += (_, line) => host.Record(line.Data);
        process.ErrorDataReceived += (_, line) => host.Record(line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>
    /// A client of the gateway that sends a token obtained with the client-credentials grant, as a partner system would
    /// (start the AppHost with <c>--Identity:Bootstrap:ClientSecret=...</c> to know the bootstrap client's secret).
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
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task<IReadOnlyList<ResourceStatus>> ResourcesAsync()
    {
        var resources = await _http.GetFromJsonAsync<List<ResourceStatus>>("/api/resources", Json);
        return resources ?? [];
    }

    /// <summary>Waits until every resource is Running and Healthy; fails early if the AppHost exits.</summary>
    public async Task WaitUntilHealthyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The AppHost exited with code {_process.ExitCode}:\n{Output}");
            }
            try
            {
                var resources = await ResourcesAsync();
                if (resources.Count > 0 && resources.All(r => r.State == "Running" && r.Health == "Healthy"))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // The AppHost's own endpoint is not up yet.
            }
            catch (TaskCanceledException)
            {
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The platform was not healthy within {timeout}:\n{Output}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Ctrl+C's twin: SIGTERM, then waits for the AppHost to stop everything and exit.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            Posix.Signal(_process.Id, Posix.SIGTERM);
            using var wait = new CancellationTokenSource(timeout);
            await _process.WaitForExitAsync(wait.Token);
        }
        return _process.ExitCode;
    }

    /// <summary>Kills the AppHost alone (SIGKILL), leaving its children orphaned, as a crash or an OOM kill would.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    /// <summary><c>POST /api/resources/{name}/{command}</c>: stop, start or restart; returns once it has taken effect.</summary>
    public async Task<System.Net.HttpStatusCode> CommandAsync(string resource, string command)
    {
        using var response = await _http.PostAsync($"/api/resources/{resource}/{command}", null);
        return response.StatusCode;
    }

    public static bool IsAlive(int pid) => Posix.IsAlive(pid);

    /// <summary>SIGKILL to one process, e.g. a service the AppHost supervises, to see it restarted.</summary>
    public static void Kill(int pid) => Posix.Signal(pid, Posix.SIGKILL);

    /// <summary>Processes still running whose command line mentions <paramref name="text"/> (e.g. the state folder).</summary>
    public static IReadOnlyList<string> ProcessesMentioning(string text) =>
        Directory.GetDirectories("/proc")
            .Select(dir => int.TryParse(Path.GetFileName(dir), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && pid != Environment.ProcessId && Posix.IsAlive(pid))
            .Select(pid => (pid, Posix.CommandLine(pid)))
            .Where(p => p.Item2.Contains(text, StringComparison.Ordinal))
            .Select(p => $"{p.pid}: {p.Item2}")
            .ToList();

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        while (_output.Count > 5000 && _output.TryDequeue(out _))
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                await StopAsync(TimeSpan.FromSeconds(90));
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
        _http.Dispose();
    }
}

/// <summary>The fields of <c>/api/resources</c> a test or benchmark reads.</summary>
public sealed record ResourceStatus(
    string Name, string Kind, string State, string Health, int Restarts, int? Pid, IReadOnlyDictionary<string, string> Urls,
    IReadOnlyList<HealthCheckStatus> HealthReports);

public sealed record HealthCheckStatus(string Name, string Status, string? Description);
