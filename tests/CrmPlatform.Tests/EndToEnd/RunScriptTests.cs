using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CrmPlatform.Tests.Infrastructure;

namespace CrmPlatform.Tests.EndToEnd;

/// <summary>
/// The app host as <c>./run.sh</c> starts it (<c>dotnet run</c> of src/AppHost with its launch profile), in a process
/// of its own that is killed outright, and then stopped as a service manager or Ctrl+C stops it.
/// </summary>
[Collection(OwnPlatformCollection.Name)]
public sealed partial class RunScriptTests
{
    [Fact]
    public async Task It_prints_the_login_link_recovers_from_a_sigkill_and_leaves_nothing_running_after_a_sigterm()
    {
        var settings = PlatformHost.Settings.New(withDashboard: true);
        await using var first = AppHostRun.Start(settings);
        var link = await first.WaitForLineAsync(LoginLine());
        Assert.StartsWith($"http://localhost:{settings.DashboardPort}/login?t=", link.Groups["url"].Value);
        await first.WaitUntilGatewayIsHealthyAsync();
        var gateway = await GatewayClientAsync(settings);
        var person = (await gateway.PostJsonAsync("/api/v1/people", Api.NewPerson())).Body.Id();

        // Killed outright, the app host cleans nothing up: DCP, which watches it, stops everything by itself.
        var platform = first.PlatformProcesses();
        Assert.Contains(platform, pid => Processes.CommandLine(pid).Contains("CrmPlatform.Contacts", StringComparison.Ordinal));
        first.Kill();
        await Eventually.TrueAsync(() => Task.FromResult(!platform.Any(Processes.IsAlive)), "DCP stops what a killed app host ran", TimeSpan.FromMinutes(1));

        await using var second = AppHostRun.Start(settings);
        await second.WaitUntilGatewayIsHealthyAsync();
        gateway = await GatewayClientAsync(settings);
        Assert.Equal(HttpStatusCode.OK, (await gateway.GetJsonAsync($"/api/v1/people/{person}")).Status);

        // The generated secrets (kept private in the state folder) never appear in what the app host printed.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(settings.StateDirectory, "secrets.json")));
        var secrets = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(settings.StateDirectory, "secrets.json")))!.AsObject();
        // The bootstrap client's secret is not among them: this test passes its own, as an operator may (Parameters__…).
        string[] generated = ["otlp-api-key", "dashboard-api-key", "postgres-password", "identitydb-password", "contactsdb-password",
            "salesdb-password", "marketingdb-password", "servicedb-password", "integrationsdb-password", "messaging-password", "messaging-admin-password",
            "csat-signing-key-1", "csat-signing-key-2", "web-form-token-key-1", "web-form-token-key-2",
            "marketing-web-form-token-key-1", "marketing-web-form-token-key-2",
            "marketing-campaign-token-key-1", "marketing-campaign-token-key-2"];
        Assert.Equal(generated.Order(), secrets.Select(s => s.Key).Order());
        Assert.All(secrets, secret => Assert.DoesNotContain(secret.Value!.GetValue<string>(), first.Output + second.Output));

        platform = second.PlatformProcesses();
        Assert.Equal(0, await second.TerminateAsync());
        // The app host waits for its resources to be gone; DCP's own processes follow within moments.
        Assert.Empty(Processes.Mentioning(settings.StateDirectory));
        await Eventually.TrueAsync(() => Task.FromResult(!platform.Any(Processes.IsAlive)),
            $"nothing of the platform runs: {string.Join(", ", platform.Where(Processes.IsAlive).Select(Processes.CommandLine))}", TimeSpan.FromSeconds(30));
        Assert.False(File.Exists(Path.Combine(settings.StateDirectory, "postgres", "postmaster.pid")), "PostgreSQL was killed, not shut down");
    }

    /// <summary>The README's way in: the bootstrap admin client's secret from the state folder.</summary>
    private static async Task<HttpClient> GatewayClientAsync(PlatformHost.Settings settings)
    {
        var secrets = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(settings.StateDirectory, "secrets.json")))!;
        Assert.Equal(settings.AdminSecret, secrets["bootstrap-client-secret"]?.GetValue<string>() ?? settings.AdminSecret);
        var client = new HttpClient { BaseAddress = new Uri($"http://localhost:{settings.GatewayPort}") };
        var token = await client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = "crm-admin", ["client_secret"] = settings.AdminSecret,
        }));
        var body = JsonNode.Parse(await token.Content.ReadAsStringAsync())!;
        client.DefaultRequestHeaders.Authorization = new("Bearer", body["access_token"]!.GetValue<string>());
        return client;
    }

    [GeneratedRegex(@"Login to the dashboard at (?<url>http://\S+)")]
    private static partial Regex LoginLine();

    private sealed class AppHostRun : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _output = new();
        private readonly PlatformHost.Settings _settings;

        private AppHostRun(Process process, PlatformHost.Settings settings)
        {
            _process = process;
            _settings = settings;
        }

        public static AppHostRun Start(PlatformHost.Settings settings)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = Repository.Root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var argument in (string[])[
                "run", "--project", "src/AppHost", "-c", Repository.Configuration, "--no-build", "--launch-profile", "http", "--",
                $"--AppHost:StateDir={settings.StateDirectory}", $"--AppHost:GatewayPort={settings.GatewayPort}",
                $"--Parameters:bootstrap-client-secret={settings.AdminSecret}",
                $"--ASPNETCORE_URLS=http://localhost:{settings.DashboardPort}",
                $"--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://localhost:{FreePort.Pick()}",
                $"--ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL=http://localhost:{FreePort.Pick()}",
                $"--ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://localhost:{FreePort.Pick()}"])
            {
                start.ArgumentList.Add(argument);
            }

            var run = new AppHostRun(new Process { StartInfo = start }, settings);
            run._process.OutputDataReceived += (_, line) => run.Record(line.Data);
            run._process.ErrorDataReceived += (_, line) => run.Record(line.Data);
            run._process.Start();
            run._process.BeginOutputReadLine();
            run._process.BeginErrorReadLine();
            return run;
        }

        public async Task<Match> WaitForLineAsync(Regex pattern) =>
            (await Eventually.ReturnsAsync(
                () => Task.FromResult(_output.Select(line => pattern.Match(line)).FirstOrDefault(match => match.Success)),
                match => match is not null || _process.HasExited, $"the app host prints {pattern}", PlatformHost.StartTimeout))
            ?? throw new InvalidOperationException($"The app host exited:\n{string.Join('\n', _output)}");

        public async Task WaitUntilGatewayIsHealthyAsync()
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://localhost:{_settings.GatewayPort}"), Timeout = TimeSpan.FromSeconds(5) };
            await Eventually.TrueAsync(async () =>
            {
                Assert.False(_process.HasExited, $"The app host exited:\n{string.Join('\n', _output)}");
                try
                {
                    return (await client.GetAsync("/health")).StatusCode == HttpStatusCode.OK;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    return false;
                }
            }, "the gateway (and every service behind it) is healthy", PlatformHost.StartTimeout);
        }

        /// <summary>The app host, DCP (started detached, watching the app host) and everything either started.</summary>
        public IReadOnlyList<int> PlatformProcesses()
        {
            List<int> hosts = [_process.Id, .. Processes.Descendants(_process.Id)];
            var orchestrators = hosts.SelectMany(pid => Processes.Mentioning($"--monitor {pid} ")).Select(line => int.Parse(line.Split(':')[0]));
            return [.. hosts, .. orchestrators.SelectMany(pid => new[] { pid }.Concat(Processes.Descendants(pid)))];
        }

        /// <summary>SIGKILL to the app host itself (<c>dotnet run</c>'s child, the process DCP watches).</summary>
        public void Kill() => Processes.Kill(Processes.Descendants(_process.Id)
            .Single(pid => Processes.CommandLine(pid).Contains("CrmPlatform.AppHost", StringComparison.Ordinal)));

        public async Task<int> TerminateAsync()
        {
            Processes.Terminate(_process.Id);
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await _process.WaitForExitAsync(timeout.Token);
            return _process.ExitCode;
        }

        public string Output => string.Join('\n', _output);

        /// <summary>A test that failed half-way stops what it started all the same, as Ctrl+C would, and kills what resists.</summary>
        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                var platform = PlatformProcesses();
                try
                {
                    await TerminateAsync();
                }
                catch (OperationCanceledException)
                {
                    foreach (var pid in platform.Where(Processes.IsAlive))
                    {
                        Processes.Kill(pid);
                    }
                }
            }

            _process.Dispose();
        }

        private void Record(string? line)
        {
            if (line is not null)
            {
                _output.Enqueue(line);
            }
        }
    }
}
