using System.Net;
using System.Net.Http.Json;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CrmPlatform.Tests.Dashboard;

/// <summary>The dashboard's pages in a real browser against a running platform, with live telemetry from its services.</summary>
public sealed partial class DashboardTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task Without_the_cookie_a_page_sends_to_the_login_where_a_wrong_token_is_refused_and_the_right_one_lets_in()
    {
        var page = await fixture.NewPageAsync();

        await page.GotoAsync("/structuredlogs");
        Assert.Equal("/login", new Uri(page.Url).AbsolutePath);
        await page.FillAsync("#t", "not-the-token");
        await page.ClickAsync("button[type=submit]");
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("That token is not valid.");
        Assert.Equal("/login", new Uri(page.Url).AbsolutePath);
        await DashboardFixture.ScreenshotAsync(page, "login");

        await page.FillAsync("#t", fixture.Host.BrowserToken);
        await page.ClickAsync("button[type=submit]");
        await Expect(page.GetByTestId("resources-grid")).ToBeVisibleAsync();
        Assert.Equal("/", new Uri(page.Url).AbsolutePath);
    }

    [Fact]
    public async Task The_resources_page_shows_every_resource_running_and_healthy_with_details_and_masked_secrets()
    {
        var page = await fixture.LoggedInPageAsync("/");

        var resources = await fixture.Host.ResourcesAsync();
        Assert.Contains(resources, r => r.Name == "sales");
        foreach (var resource in resources)
        {
            await Expect(page.GetByTestId($"resource-row-{resource.Name}")).ToBeVisibleAsync();
            await Expect(page.GetByTestId($"resource-state-{resource.Name}")).ToHaveTextAsync("Running");
            await Expect(page.GetByTestId($"resource-health-{resource.Name}")).ToHaveTextAsync("Healthy");
        }

        await DashboardFixture.ScreenshotAsync(page, "resources");

        await page.GetByTestId("resource-row-sales").ClickAsync();
        var details = page.GetByTestId("resource-details");
        await Expect(details).ToContainTextAsync("src/Sales");
        var environment = details.GetByTestId("resource-environment");
        await Expect(environment).ToContainTextAsync("OTEL_SERVICE_NAME");
        await Expect(environment).ToContainTextAsync("Password=****");
        await Expect(details.GetByTestId("resource-dependencies")).ToContainTextAsync("salesdb");
        await DashboardFixture.ScreenshotAsync(page, "resource-details");
    }

    [Fact]
    public async Task Sales_stopped_from_the_page_shows_Exited_and_started_again_becomes_Running_and_Healthy()
    {
        var page = await fixture.LoggedInPageAsync("/");
        var state = page.GetByTestId("resource-state-sales");
        var health = page.GetByTestId("resource-health-sales");
        await Expect(state).ToHaveTextAsync("Running");
        await Expect(page.GetByTestId("start-sales")).ToBeDisabledAsync();

        await page.GetByTestId("stop-sales").ClickAsync();
        await Expect(state).ToHaveTextAsync("Exited");
        await Expect(page.GetByTestId("start-sales")).ToBeEnabledAsync();
        await Expect(page.GetByTestId("stop-sales")).ToBeDisabledAsync();
        Assert.Equal("Exited", (await fixture.Host.ResourcesAsync()).Single(r => r.Name == "sales").State);
        await DashboardFixture.ScreenshotAsync(page, "resources-sales-stopped");

        await page.GetByTestId("start-sales").ClickAsync();
        await Expect(state).ToHaveTextAsync("Running");
        await Expect(health).ToHaveTextAsync("Healthy", new() { Timeout = 60_000 });
        await Expect(page.GetByTestId("stop-sales")).ToBeEnabledAsync();
        Assert.Empty(await page.Locator("[data-testid^=command-error-]").AllAsync());
    }

    [Fact]
    public async Task The_console_shows_what_a_resource_prints_without_colour_codes_and_downloads_it()
    {
        var page = await fixture.LoggedInPageAsync("/console/contacts");

        var lines = page.GetByTestId("console-line");
        await Expect(lines.First).ToBeVisibleAsync();
        Assert.Contains(await lines.AllTextContentsAsync(), line => line.Contains("Now listening on", StringComparison.Ordinal));
        Assert.DoesNotContain(await lines.AllTextContentsAsync(), line => line.Contains('\u001b'));
        await DashboardFixture.ScreenshotAsync(page, "console");

        await page.GetByTestId("console-pause").ClickAsync();
        await Expect(page.GetByTestId("console-status")).ToContainTextAsync("paused");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("console-download").ClickAsync());
        Assert.Equal("contacts-console.log", download.SuggestedFilename);
        var text = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.Contains("Now listening on", text);
    }

    [Fact]
    public async Task Structured_logs_show_the_services_logs_filtered_by_the_query_string_with_details()
    {
        var page = await fixture.LoggedInPageAsync("/structuredlogs");
        var rows = page.GetByTestId("log-row");
        await Expect(rows.First).ToBeVisibleAsync();
        var services = await AttributeOfEachAsync(rows, "data-service");
        Assert.True(services.Distinct().Count() > 1, $"logs of one service only: {string.Join(", ", services.Distinct())}");
        await DashboardFixture.ScreenshotAsync(page, "structured-logs");

        await page.GotoAsync("/structuredlogs?resource=contacts&text=listening");
        await Expect(rows.First).ToContainTextAsync("listening");
        Assert.All(await AttributeOfEachAsync(rows, "data-service"), service => Assert.Equal("contacts", service));

        await rows.First.ClickAsync();
        var details = page.GetByTestId("log-details");
        await Expect(details.GetByTestId("log-attributes")).ToBeVisibleAsync();
        await Expect(details).ToContainTextAsync("contacts");
        await DashboardFixture.ScreenshotAsync(page, "structured-log-details");
    }

    [Fact]
    public async Task Traces_are_listed_and_a_trace_opens_as_a_waterfall_of_spans_by_service()
    {
        // An idle platform records no traces (background calls start none): make one.
        using (var anonymous = new HttpClient { BaseAddress = fixture.Host.Gateway })
        {
            (await anonymous.GetAsync("/api/v1/people")).Dispose();
        }

        var page = await fixture.LoggedInPageAsync("/traces");
        var rows = page.GetByTestId("trace-row");
        await Expect(rows.First).ToBeVisibleAsync();
        await DashboardFixture.ScreenshotAsync(page, "traces");

        var traceId = await rows.First.GetAttributeAsync("data-trace-id");
        await rows.First.GetByTestId("trace-link").ClickAsync();
        await page.WaitForURLAsync($"**/traces/{traceId}");
        var spans = page.GetByTestId("span-row");
        await Expect(spans.First).ToBeVisibleAsync();
        Assert.All(await AttributeOfEachAsync(spans, "data-service"), service => Assert.False(string.IsNullOrEmpty(service)));
        await Expect(page.GetByTestId("trace-logs-link")).ToHaveAttributeAsync("href", $"structuredlogs?traceId={traceId}");

        await spans.First.ClickAsync();
        await Expect(page.GetByTestId("span-details").GetByTestId("span-attributes")).ToBeVisibleAsync();
        await DashboardFixture.ScreenshotAsync(page, "trace");
    }

    [Fact]
    public async Task A_person_created_through_the_gateway_is_one_trace_across_gateway_contacts_and_sales()
    {
        var gateway = await fixture.GatewayClientAsync();
        using var created = await gateway.PostAsJsonAsync("/api/v1/people", Api.NewPerson());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var traceId = created.Headers.GetValues("X-Trace-Id").Single();

        var page = await fixture.LoggedInPageAsync($"/traces/{traceId}");
        var spans = page.GetByTestId("span-row");
        // Sales consumes the event a moment later: the waterfall grows live.
        await Expect(spans.And(page.Locator("[data-service=sales]")).First).ToBeVisibleAsync();
        var services = (await AttributeOfEachAsync(spans, "data-service")).ToHashSet();
        Assert.Superset(new HashSet<string?> { "gateway", "contacts", "sales" }, services);
        await Expect(spans.First).ToHaveAttributeAsync("data-service", "gateway");
        await DashboardFixture.ScreenshotAsync(page, "trace-person-created");
    }

    [Fact]
    public async Task A_full_trace_store_says_that_the_oldest_traces_are_dropped()
    {
        using (var anonymous = new HttpClient { BaseAddress = fixture.Host.Gateway })
        {
            // Each refused request is a trace of its own (the gateway's server span).
            for (var i = 0; i <= DashboardFixture.TraceLimit; i++)
            {
                (await anonymous.GetAsync($"/api/v1/people?attempt={i}")).Dispose();
            }
        }

        var page = await fixture.LoggedInPageAsync("/traces");
        await Expect(page.GetByTestId("telemetry-limit-notice"))
            .ToContainTextAsync($"Limit of {DashboardFixture.TraceLimit} traces reached: oldest dropped", new() { Timeout = 60_000 });
        Assert.Equal($"{DashboardFixture.TraceLimit} of {DashboardFixture.TraceLimit} traces", (await page.GetByTestId("trace-count").TextContentAsync())?.Trim());
    }

    [Fact]
    public async Task The_request_duration_histogram_of_a_service_is_drawn_as_percentiles()
    {
        var page = await fixture.LoggedInPageAsync("/metrics");
        await page.GetByTestId("tree-resource-contacts").Locator("summary").First.ClickAsync();
        await page.GetByTestId("tree-resource-contacts").Locator("summary", new() { HasText = "Microsoft.AspNetCore.Hosting" }).ClickAsync();
        await page.GetByTestId("instrument-contacts-http.server.request.duration").ClickAsync();

        await Expect(page.GetByTestId("instrument-name")).ToHaveTextAsync("http.server.request.duration");
        var chart = page.GetByTestId("metric-chart");
        // The health probes call every service each second: there are requests to draw once two exports have arrived.
        await Expect(chart.Locator("svg path").First).ToBeAttachedAsync(new() { Timeout = 30_000 });
        await Expect(chart).ToContainTextAsync("p95");
        await Expect(page.GetByTestId("dimension-filters")).ToContainTextAsync("http.route");
        await DashboardFixture.ScreenshotAsync(page, "metrics");
    }

    private static async Task<string?[]> AttributeOfEachAsync(ILocator elements, string attribute) =>
        await Task.WhenAll((await elements.AllAsync()).Select(element => element.GetAttributeAsync(attribute)));
}
