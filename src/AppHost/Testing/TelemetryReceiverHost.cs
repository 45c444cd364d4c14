using CrmPlatform.AppHost.Dashboard;
using CrmPlatform.AppHost.Processes;
using CrmPlatform.AppHost.Telemetry;

namespace CrmPlatform.AppHost.Testing;

/// <summary>
/// The AppHost's telemetry side alone, in-process, for tests and benchmarks: the three listeners, the dashboard's
/// authentication, both OTLP receivers and <c>/api/telemetry</c>, wired by the same methods as <see cref="AppHostExtensions"/>
/// (without the orchestrator, which would start the whole platform).
/// </summary>
public sealed class TelemetryReceiverHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TelemetryReceiverHost(WebApplication app, AppHostOptions options)
    {
        _app = app;
        Options = options;
    }

    /// <summary>The listeners' URLs (on 127.0.0.1, free ports), the browser token and the OTLP API key in use.</summary>
    public AppHostOptions Options { get; }

    public TelemetryStore Store => _app.Services.GetRequiredService<TelemetryStore>();

    public Uri DashboardUrl => new(Options.DashboardUrl);
    public Uri OtlpGrpcUrl => new(Options.OtlpGrpcUrl);
    public Uri OtlpHttpUrl => new(Options.OtlpHttpUrl);

    /// <param name="otlpApiKey">Required on OTLP requests when set.</param>
    /// <param name="settings">Configuration such as <c>Telemetry:MaxLogCount</c>.</param>
    public static async Task<TelemetryReceiverHost> StartAsync(string? otlpApiKey = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var options = new AppHostOptions
        {
            DashboardUrl = $"http://127.0.0.1:{FreePort.Pick()}",
            OtlpGrpcUrl = $"http://127.0.0.1:{FreePort.Pick()}",
            OtlpHttpUrl = $"http://127.0.0.1:{FreePort.Pick()}",
            OtlpApiKey = otlpApiKey,
            BrowserToken = Guid.NewGuid().ToString("N"),
        };

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        // Only what the caller gives: the folder's appsettings.json may be another application's.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning);

        builder.ConfigureListeners(options);
        builder.Services.AddApiJson();
        builder.AddDashboardAuthentication(options);
        builder.AddTelemetry(options);

        var app = builder.Build();
        app.MapApi(options).MapTelemetryApi();
        app.MapOtlpReceivers(options);
        await app.StartAsync();
        return new TelemetryReceiverHost(app, options);
    }

    /// <summary>A client of <c>/api/*</c> on the dashboard listener, with the browser token as bearer token.</summary>
    public HttpClient CreateApiClient()
    {
        var client = new HttpClient { BaseAddress = DashboardUrl };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Options.BrowserToken);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
