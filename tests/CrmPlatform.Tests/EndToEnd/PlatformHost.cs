using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace CrmPlatform.Tests.EndToEnd;

/// <summary>
/// The real app host (src/AppHost/AppHost.cs) started through Aspire.Hosting.Testing, with a state folder and ports
/// of its own, optionally with Aspire's dashboard. Everything a test does goes through the gateway, the dashboard and
/// Aspire's own resource commands and states.
/// </summary>
public sealed partial class PlatformHost : IAsyncDisposable
{
    // Generous: on CI's two cores a platform starts beside the other test classes.
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(6);
    private readonly LogCapture _logs;

    private PlatformHost(DistributedApplication app, Settings settings, LogCapture logs)
    {
        App = app;
        StateDirectory = settings.StateDirectory;
        Gateway = new Uri($"http://localhost:{settings.GatewayPort}");
        Dashboard = settings.DashboardPort is { } port ? new Uri($"http://localhost:{port}") : null;
        AdminSecret = settings.AdminSecret;
        _logs = logs;
    }

    public DistributedApplication App { get; }
    public string StateDirectory { get; }
    public Uri Gateway { get; }
    public Uri? Dashboard { get; }
    public string AdminSecret { get; }

    /// <summary>What the app host itself logged, e.g. the dashboard's login link.</summary>
    public IReadOnlyList<string> HostLog => _logs.Lines;

    /// <summary>Where a platform keeps its state, how it is reached; the same settings start it again on the same data.</summary>
    public sealed record Settings(string StateDirectory, int GatewayPort, string AdminSecret, int? DashboardPort = null)
    {
        public static Settings New(bool withDashboard) => new(
            Path.Combine(TestServers.Root, $"platform-{Guid.NewGuid():N}"), FreePort.Pick(), Guid.NewGuid().ToString("N"),
            withDashboard ? FreePort.Pick() : null);
    }

    public static async Task<PlatformHost> StartAsync(Settings settings)
    {
        var logs = new LogCapture();
        // Every port is the test's own: a platform started by ./run.sh on this machine is left alone.
        List<string> arguments =
        [
            $"--AppHost:StateDir={settings.StateDirectory}",
            $"--AppHost:GatewayPort={settings.GatewayPort}",
            $"--Parameters:bootstrap-client-secret={settings.AdminSecret}",
            $"--ASPNETCORE_URLS=http://localhost:{settings.DashboardPort ?? FreePort.Pick()}",
            $"--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://localhost:{FreePort.Pick()}",
            $"--ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL=http://localhost:{FreePort.Pick()}",
            $"--ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://localhost:{FreePort.Pick()}",
            // The harness would move the dashboard to ports of its own choosing; these already are.
            "--DcpPublisher:RandomizePorts=false",
        ];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            [.. arguments], (options, _) => options.DisableDashboard = settings.DashboardPort is null);
        builder.Services.AddSingleton<ILoggerProvider>(logs);
        builder.Services.AddLogging(logging => logging.AddFilter("Aspire.Hosting.Dcp", LogLevel.Warning));
        var app = await builder.BuildAsync();
        var host = new PlatformHost(app, settings, logs);
        try
        {
            using var timeout = new CancellationTokenSource(StartTimeout);
            await app.StartAsync(timeout.Token);
            await host.WaitUntilAllHealthyAsync(timeout.Token);
            if (settings.DashboardPort is not null)
            {
                // Its login link is printed once it answers.
                await app.ResourceNotifications.WaitForResourceHealthyAsync("aspire-dashboard", timeout.Token);
            }

            return host;
        }
        catch (Exception ex)
        {
            await host.DisposeAsync();
            throw new InvalidOperationException(
                $"The platform did not start ({ex.Message}). What the app host and its resources printed last:\n{string.Join('\n', logs.Lines.TakeLast(150))}", ex);
        }
    }

    /// <summary>Every resource the dashboard lists (parameters aside) Running and Healthy, as Aspire itself sees them.</summary>
    public async Task WaitUntilAllHealthyAsync(CancellationToken cancellationToken) =>
        await Task.WhenAll(ResourceNames.Select(name => App.ResourceNotifications.WaitForResourceHealthyAsync(name, cancellationToken)));

    /// <summary>The resources of the model as the dashboard lists them, without parameters and Aspire's hidden helpers.</summary>
    public IReadOnlyList<string> ResourceNames =>
        [.. App.Services.GetRequiredService<DistributedApplicationModel>().Resources
            .Where(r => r is not ParameterResource && !(App.ResourceNotifications.TryGetCurrentState(r.Name, out var state) && state.Snapshot.IsHidden))
            .Select(r => r.Name)];

    /// <summary>A resource's current state as the dashboard shows it.</summary>
    public CustomResourceSnapshot Snapshot(string resource) =>
        App.ResourceNotifications.TryGetCurrentState(resource, out var state) ? state.Snapshot : throw new KeyNotFoundException(resource);

    /// <summary>The pid DCP started for a resource (for a project, that of <c>dotnet run</c>).</summary>
    public int Pid(string resource) =>
        Convert.ToInt32(Snapshot(resource).Properties.Single(p => p.Name == "executable.pid").Value, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Runs one of a resource's commands (start, stop, restart, or its own), as the dashboard's buttons do.</summary>
    public async Task<ExecuteCommandResult> CommandAsync(string resource, string command, InteractionInputCollection? arguments = null)
    {
        var result = arguments is null
            ? await App.ResourceCommands.ExecuteCommandAsync(resource, command)
            : await App.ResourceCommands.ExecuteCommandAsync(resource, command, arguments);
        Assert.True(result.Success, $"{command} on {resource}: {result.Message}");
        return result;
    }

    /// <summary>
    /// Aspire's stop command, waiting until the resource has stopped. DCP gives a process 10 s to end; on a loaded test
    /// machine a service sometimes ends a moment later, the command reports a failure, and DCP may report the state as
    /// "Unknown", which Aspire's own commands count as stopped (Start is offered). So does this, once the process is gone.
    /// </summary>
    public async Task<ExecuteCommandResult> StopAsync(string resource)
    {
        var pid = Pid(resource);
        var result = await App.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.StopCommand);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await App.ResourceNotifications.WaitForResourceAsync(resource, update =>
            update.Snapshot.State?.Text is { } state
            && (KnownResourceStates.TerminalStates.Contains(state) || (state == "Unknown" && !Processes.IsAlive(pid))), timeout.Token);
        return result;
    }

    /// <summary>
    /// A client of the gateway with a token from the client-credentials grant, as a partner system gets one, for the
    /// bootstrap admin client whose secret this test chose.
    /// </summary>
    public async Task<HttpClient> GatewayClientAsync()
    {
        // No trace context from this process, as from a partner's: the in-process services of other tests register
        // HttpClient instrumentation here, which would start a span for this request and send its traceparent, so the
        // gateway's span would sometimes have a parent the dashboard never receives.
        var handler = new SocketsHttpHandler { ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator() };
        var client = new HttpClient(handler) { BaseAddress = Gateway };
        using var response = await client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = "crm-admin",
            ["client_secret"] = AdminSecret,
        }));
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>The link the app host printed to log in to the dashboard.</summary>
    public string LoginLink => HostLog.Select(line => LoginLine().Match(line)).First(match => match.Success).Groups["url"].Value;

    /// <summary>
    /// A client of the dashboard's telemetry API (<c>/api/telemetry/…</c>) with the API key kept in the state folder,
    /// as a script reads it.
    /// </summary>
    public HttpClient TelemetryApi()
    {
        var secrets = JsonNode.Parse(File.ReadAllText(Path.Combine(StateDirectory, "secrets.json")))!;
        var client = new HttpClient { BaseAddress = Dashboard ?? throw new InvalidOperationException("Started without the dashboard.") };
        client.DefaultRequestHeaders.Add("x-api-key", secrets["dashboard-api-key"]!.GetValue<string>());
        return client;
    }

    /// <summary>
    /// Moves what waits in one queue of the platform's broker to another, straight over AMQP, until
    /// <paramref name="expected"/> messages have moved: e.g. into MassTransit's error queue, as if a consumer had failed
    /// a message on every retry.
    /// </summary>
    public async Task MoveMessagesAsync(string from, string to, int expected)
    {
        var environment = Snapshot("contacts").EnvironmentVariables.ToDictionary(v => v.Name, v => v.Value);
        var factory = new ConnectionFactory { Uri = new Uri(environment["ConnectionStrings__messaging"]!) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync(to, durable: true, exclusive: false, autoDelete: false);
        var moved = 0;
        await Eventually.TrueAsync(async () =>
        {
            while (await channel.BasicGetAsync(from, autoAck: false) is { } message)
            {
                await channel.BasicPublishAsync("", to, mandatory: false, new BasicProperties(message.BasicProperties), message.Body);
                await channel.BasicAckAsync(message.DeliveryTag, multiple: false);
                moved++;
            }

            return moved == expected;
        }, $"{expected} message(s) in {from}");
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }

    [GeneratedRegex(@"Login to the dashboard at (?<url>http://\S+)")]
    private static partial Regex LoginLine();

    /// <summary>Keeps what the app host logs (its own lines, not the resources'), for the login link and for diagnosis.</summary>
    private sealed class LogCapture : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IReadOnlyList<string> Lines => [.. _lines];

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(LogCapture capture, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                capture._lines.Enqueue($"[{category}] {formatter(state, exception)}");
        }
    }
}
