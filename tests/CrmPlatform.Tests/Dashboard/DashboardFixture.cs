using CrmPlatform.AppHost;
using CrmPlatform.AppHost.Processes;
using CrmPlatform.AppHost.Testing;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CrmPlatform.Tests.Dashboard;

/// <summary>
/// One whole platform, started as <c>./run.sh</c> starts it (<c>dotnet bin/.../CrmPlatform.AppHost.dll</c>, in Production),
/// and one browser for all of the dashboard's tests: a platform takes about 15 s to start.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    /// <summary>Low, so that a test passes it with a few requests.</summary>
    public const int TraceLimit = 50;

    private static readonly string Screenshots = Path.Combine(Repository.Root, "artifacts", "screenshots");
    private readonly string _stateDirectory = Path.Combine(TestServers.Root, $"dashboard-{Guid.NewGuid():N}");
    private readonly string _adminSecret = Guid.NewGuid().ToString("N");
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public AppHostProcess Host { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        Host = AppHostProcess.Start(_stateDirectory, FreePort.Pick(), FreePort.Pick(),
            $"--Telemetry:MaxTraceCount={TraceLimit}", $"--Identity:Bootstrap:ClientSecret={_adminSecret}");
        _playwright = await Playwright.CreateAsync();
        _browser = await Chromium.LaunchAsync(_playwright);
        await Host.WaitUntilHealthyAsync(TimeSpan.FromMinutes(3));
    }

    /// <summary>The gateway as the platform's bootstrap admin client.</summary>
    public Task<HttpClient> GatewayClientAsync() => Host.CreateGatewayClientAsync("crm-admin", _adminSecret);

    /// <summary>A tab of its own (own cookies), not logged in.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Host.Dashboard.ToString(),
            ViewportSize = new ViewportSize { Width = 1500, Height = 950 },
            AcceptDownloads = true,
        });
        context.SetDefaultTimeout(30_000);
        // Pages change live (a resource stops, telemetry arrives each second): assertions wait for it, not just 5 s.
        Assertions.SetDefaultExpectTimeout(30_000);
        return await context.NewPageAsync();
    }

    /// <summary>A tab logged in with the browser token, showing <paramref name="path"/>.</summary>
    public async Task<IPage> LoggedInPageAsync(string path)
    {
        var page = await NewPageAsync();
        await page.GotoAsync($"/login?t={Host.BrowserToken}&returnUrl={Uri.EscapeDataString(path)}");
        Assert.Equal(path, new Uri(page.Url).PathAndQuery);
        return page;
    }

    /// <summary>
    /// Kept as a build artifact (artifacts/ is not committed), to look at the pages a run produced; only of a page whose
    /// circuit has not failed (Blazor's error bar hidden), which would otherwise look right but stop updating.
    /// </summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        await Assertions.Expect(page.Locator("#blazor-error-ui")).ToBeHiddenAsync();
        Directory.CreateDirectory(Screenshots);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, $"dashboard-{name}.png"), FullPage = true });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
    }
}
