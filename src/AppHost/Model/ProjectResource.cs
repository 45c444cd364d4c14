using System.Net.Http.Json;
using System.Text.Json;
using CrmPlatform.AppHost.Orchestration;
using CrmPlatform.AppHost.Processes;

namespace CrmPlatform.AppHost.Model;

/// <summary>
/// A service of this repository, already built, run as <c>dotnet src/X/bin/CONFIG/TFM/CrmPlatform.X.dll</c> from its
/// project folder (its content root) with the environment an Aspire app host would give it.
/// </summary>
public sealed class ProjectResource : Resource
{
    private static readonly HttpClient HealthClient = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly List<IResourceWithConnectionString> _connections = [];
    private readonly List<ProjectResource> _services = [];
    private readonly Dictionary<string, Func<RunContext, string>> _settings = [];
    private readonly HashSet<string> _secretVariables = [];
    private readonly string _instanceId = Guid.NewGuid().ToString();
    private ChildProcess? _process;
    private int? _fixedPort;
    private string? _url;

    internal ProjectResource(string name, string projectFolder)
        : base(name, ResourceKind.Project) => ProjectFolder = projectFolder;

    /// <summary>The folder under <c>src/</c>, which is also the project's name.</summary>
    public string ProjectFolder { get; }

    public string ProjectDirectory => Path.Combine(Repository.Root, "src", ProjectFolder);

    public string AssemblyPath =>
        Path.Combine(ProjectDirectory, "bin", Repository.Configuration, Repository.TargetFramework, $"CrmPlatform.{ProjectFolder}.dll");

    /// <summary>Whether the HTTP endpoint is meant for people (printed when all is up), like Aspire's WithExternalHttpEndpoints.</summary>
    public bool IsExternal { get; private set; }

    /// <summary>The environment of the running process, as set by the AppHost (inherited variables left out).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; private set; } = new Dictionary<string, string>();

    public override int? ProcessId => _process is { HasExited: false } process ? process.Id : null;

    internal override Task<int> Exited => _process!.Exited;

    /// <summary>Passes <c>ConnectionStrings__{name}</c> and waits for the resource.</summary>
    public ProjectResource WithReference<T>(T resource)
        where T : Resource, IResourceWithConnectionString
    {
        DependsOn(resource);
        _connections.Add(resource);
        return this;
    }

    /// <summary>Passes <c>services__{name}__http__0</c> (Aspire's service discovery) and waits for the project.</summary>
    public ProjectResource WithReference(ProjectResource project)
    {
        DependsOn(project);
        _services.Add(project);
        return this;
    }

    /// <summary>A fixed port; without one, a free port is chosen at the first start and kept across restarts.</summary>
    public ProjectResource WithHttpEndpoint(int? port = null)
    {
        _fixedPort = port is 0 ? null : port;
        return this;
    }

    /// <summary>A plain setting, e.g. <c>Identity__Issuer</c>.</summary>
    public ProjectResource WithEnvironment(string variable, string value)
    {
        _settings[variable] = _ => value;
        return this;
    }

    /// <summary>
    /// A secret setting: <paramref name="configuredValue"/> when given, otherwise a value generated at the first start
    /// and kept in the state folder's secrets under <paramref name="secretName"/>. It is masked wherever it is shown.
    /// </summary>
    public ProjectResource WithSecret(string variable, string secretName, string? configuredValue = null)
    {
        _settings[variable] = context => string.IsNullOrEmpty(configuredValue) ? context.State.GetSecret(secretName) : configuredValue;
        _secretVariables.Add(variable);
        return this;
    }

    public bool IsSecret(string variable) => _secretVariables.Contains(variable);

    public ProjectResource WithExternalHttpEndpoints()
    {
        IsExternal = true;
        return this;
    }

    internal override Task StartAsync(RunContext context, CancellationToken cancellationToken)
    {
        if (!File.Exists(AssemblyPath))
        {
            throw new InvalidOperationException(
                $"{Path.GetRelativePath(Repository.Root, AssemblyPath)} does not exist: build it first (dotnet build -c {Repository.Configuration}).");
        }

        var url = Url();
        Environment = BuildEnvironment(url, context);
        _process = ChildProcess.Start(DotnetHost, [AssemblyPath], OutputTo(context), ProjectDirectory, Environment);
        context.State.PidFiles.Add(Name, _process.Id, Posix.SIGTERM);
        SetEndpoint("http", url);
        return Task.CompletedTask;
    }

    internal override string HealthProbe => "GET /health";

    internal override async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        using var response = await HealthClient.GetAsync($"{Endpoints["http"]}/health", cancellationToken);
        HealthReports = await ReadChecksAsync(response, cancellationToken);
        return response.IsSuccessStatusCode;
    }

    internal override Task StopAsync(CancellationToken cancellationToken) =>
        _process?.StopAsync(Posix.SIGTERM, TimeSpan.FromSeconds(10), cancellationToken) ?? Task.CompletedTask;

    /// <summary>The checks of the service defaults' JSON health report; one entry for the status code if the body is not one.</summary>
    private static async Task<IReadOnlyList<HealthCheckReport>> ReadChecksAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var overall = response.IsSuccessStatusCode ? HealthStatus.Healthy : HealthStatus.Unhealthy;
        try
        {
            var report = await response.Content.ReadFromJsonAsync<HealthReportBody>(cancellationToken);
            if (report?.Checks is { Count: > 0 } checks)
            {
                return [.. checks.Select(check => new HealthCheckReport(
                    check.Key,
                    check.Value.Status == "Healthy" ? HealthStatus.Healthy : HealthStatus.Unhealthy,
                    check.Value.Description))];
            }
        }
        catch (JsonException)
        {
        }

        return [new HealthCheckReport("/health", overall, $"HTTP {(int)response.StatusCode}")];
    }

    private sealed record HealthReportBody(Dictionary<string, HealthCheckBody>? Checks);

    private sealed record HealthCheckBody(string Status, string? Description);

    /// <summary>The dotnet that runs the AppHost, so that the services run on the same runtime.</summary>
    private static string DotnetHost =>
        System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH")
        ?? (Path.GetFileName(System.Environment.ProcessPath) == "dotnet" ? System.Environment.ProcessPath! : "dotnet");

    private string Url()
    {
        // Chosen once: dependants were given this URL.
        if (_url is not null)
        {
            return _url;
        }

        if (_fixedPort is { } port)
        {
            return FreePort.IsAvailable(port)
                ? _url = $"http://localhost:{port}"
                : throw new InvalidOperationException($"Port {port} of {Name} is in use by another process.");
        }

        return _url = $"http://127.0.0.1:{FreePort.Pick()}";
    }

    private Dictionary<string, string> BuildEnvironment(string url, RunContext context)
    {
        var options = context.Options;
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = url,
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["OTEL_SERVICE_NAME"] = Name,
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = string.IsNullOrWhiteSpace(options.OtlpEndpoint) ? options.OtlpGrpcUrl : options.OtlpEndpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc",
            ["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={_instanceId}",
            // Export every second rather than every 5 to 60 s, so that a dashboard follows what happens.
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "1000",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "1000",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
        };
        if (!string.IsNullOrWhiteSpace(options.OtlpApiKey) && string.IsNullOrWhiteSpace(options.OtlpEndpoint))
        {
            environment["OTEL_EXPORTER_OTLP_HEADERS"] = $"x-otlp-api-key={options.OtlpApiKey}";
            _secretVariables.Add("OTEL_EXPORTER_OTLP_HEADERS");
        }

        foreach (var connection in _connections)
        {
            environment[$"ConnectionStrings__{connection.Name}"] = connection.ConnectionString!;
        }

        foreach (var service in _services)
        {
            environment[$"services__{service.Name}__http__0"] = service.Endpoints["http"];
        }

        foreach (var (variable, value) in _settings)
        {
            environment[variable] = value(context);
        }

        return environment;
    }
}
