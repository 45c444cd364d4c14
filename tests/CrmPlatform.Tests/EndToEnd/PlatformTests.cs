using System.Net;
using CrmPlatform.AppHost.Processes;
using CrmPlatform.AppHost.Testing;
using CrmPlatform.Tests.Infrastructure;

namespace CrmPlatform.Tests.EndToEnd;

/// <summary>
/// The whole platform started through the AppHost, as <c>./run.sh</c> does, and used only through the gateway.
/// </summary>
public sealed class PlatformTests : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromMinutes(2);
    private readonly string _stateDirectory = Path.Combine(TestServers.Root, $"platform-{Guid.NewGuid():N}");
    private readonly int _gatewayPort = FreePort.Pick();
    private readonly int _dashboardPort = FreePort.Pick();
    private readonly string _adminSecret = Guid.NewGuid().ToString("N");
    private AppHostProcess? _host;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }

    private async Task<HttpClient> StartPlatformAsync()
    {
        _host = AppHostProcess.Start(_stateDirectory, _gatewayPort, _dashboardPort, $"--Identity:Bootstrap:ClientSecret={_adminSecret}");
        await _host.WaitUntilHealthyAsync(StartTimeout);
        return await _host.CreateGatewayClientAsync("crm-admin", _adminSecret);
    }

    [Fact]
    public async Task A_person_created_through_the_gateway_reaches_sales_and_a_rename_shows_on_the_opportunity()
    {
        var gateway = await StartPlatformAsync();
        var resources = await _host!.ResourcesAsync();
        Assert.Equal(
            ["contacts", "gateway", "identity", "marketing", "messaging", "postgres", "sales", "service"],
            resources.Where(r => r.Kind != "PostgresDatabase").Select(r => r.Name).Order().ToArray());

        var health = await gateway.GetJsonAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.Status);
        using (var anonymous = new HttpClient { BaseAddress = _host.Gateway })
        {
            (await anonymous.GetJsonAsync("/api/v1/people")).AssertProblem(HttpStatusCode.Unauthorized);
        }

        var organization = await gateway.PostJsonAsync("/api/v1/organizations", new { name = "Analytical Engines Ltd", domain = "engines.test" });
        Assert.Equal(HttpStatusCode.Created, organization.Status);
        var person = await gateway.PostJsonAsync("/api/v1/people", Api.NewPerson(organizationId: organization.Body.Id()));
        Assert.Equal(HttpStatusCode.Created, person.Status);
        var personId = person.Body.Id();

        // Sales learns of the person from the event; until then it answers 422.
        var opportunity = await Eventually.ReturnsAsync(
            () => gateway.PostJsonAsync("/api/v1/opportunities", new { name = "Difference engine", amount = 17000, currency = "GBP", customerId = personId }),
            answer => answer.Status != HttpStatusCode.UnprocessableEntity, "Sales knows the person");
        Assert.Equal(HttpStatusCode.Created, opportunity.Status);
        Assert.Equal("Ada Lovelace", opportunity.Body.GetProperty("customer").Str("displayName"));

        var renamed = await gateway.PutJsonAsync($"/api/v1/people/{personId}",
            Api.NewPerson(email: person.Body.Str("email"), organizationId: organization.Body.Id(), firstName: "Augusta Ada", lastName: "King"),
            person.Body.ETag());
        Assert.Equal(HttpStatusCode.OK, renamed.Status);
        await Eventually.TrueAsync(async () =>
            (await gateway.GetJsonAsync($"/api/v1/opportunities/{opportunity.Body.Id()}")).Body.GetProperty("customer").Str("displayName") == "Augusta Ada King",
            "the rename shows on the opportunity");

        (await gateway.GetJsonAsync("/api/v1/nowhere")).AssertProblem(HttpStatusCode.NotFound);

        // Behind the gateway, a service describes itself at the gateway's address (X-Forwarded-* from loopback only).
        var document = await gateway.GetJsonAsync("/docs/openapi/contacts.json");
        Assert.Equal($"{_host.Gateway}", document.Body.GetProperty("servers")[0].Str("url"));

        // The services export telemetry to the AppHost's OTLP/gRPC receiver: a request's trace runs from the gateway into
        // Contacts, and the services' ASP.NET Core metrics are there.
        using var dashboard = new HttpClient { BaseAddress = _host.Dashboard };
        dashboard.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _host.BrowserToken);
        await Eventually.TrueAsync(async () =>
            (await dashboard.GetJsonAsync("/api/telemetry/traces?service=contacts&limit=1000")).Body.GetProperty("traces").EnumerateArray()
                .Any(t => t.GetProperty("services").EnumerateArray().Select(s => s.GetString()).ToHashSet().IsSupersetOf(["gateway", "contacts"])),
            "a trace through the gateway into Contacts is in the AppHost's telemetry");
        await Eventually.TrueAsync(async () =>
            (await dashboard.GetJsonAsync("/api/telemetry/metrics?service=contacts")).Body.GetProperty("instruments").EnumerateArray()
                .Any(i => i.Str("name") == "http.server.request.duration"),
            "Contacts' request duration histogram is in the AppHost's telemetry");

        await StopAndAssertNothingRemainsAsync(resources);
    }

    [Fact]
    public async Task A_crashed_service_is_restarted_and_a_killed_apphost_recovers_on_the_next_start()
    {
        var gateway = await StartPlatformAsync();
        var person = (await gateway.PostJsonAsync("/api/v1/people", Api.NewPerson())).Body.Id();

        // A service that dies is restarted by the AppHost.
        var sales = (await _host!.ResourcesAsync()).Single(r => r.Name == "sales");
        AppHostProcess.Kill(sales.Pid!.Value);
        var restarted = await Eventually.ReturnsAsync(
            async () => (await _host.ResourcesAsync()).Single(r => r.Name == "sales"),
            r => r.Restarts == 1 && r.State == "Running" && r.Health == "Healthy" && r.Pid != sales.Pid,
            "sales is restarted", TimeSpan.FromMinutes(1));
        Assert.Contains("restarting", _host.Output);

        // The AppHost itself is killed: its children are orphaned, ports stay taken, pid files stay behind.
        var orphans = await _host.ResourcesAsync();
        await _host.KillAsync();
        await _host.DisposeAsync();

        gateway = await StartPlatformAsync();
        foreach (var orphan in orphans.Where(r => r.Pid is not null))
        {
            Assert.False(AppHostProcess.IsAlive(orphan.Pid!.Value), $"{orphan.Name} ({orphan.Pid}) was left running");
        }

        // Data survived: the person created before the kill is still there.
        Assert.Equal(HttpStatusCode.OK, (await gateway.GetJsonAsync($"/api/v1/people/{person}")).Status);
        Assert.NotEqual(restarted.Pid, (await _host.ResourcesAsync()).Single(r => r.Name == "sales").Pid);

        await StopAndAssertNothingRemainsAsync(await _host.ResourcesAsync());
    }

    private async Task StopAndAssertNothingRemainsAsync(IReadOnlyList<ResourceStatus> resources)
    {
        var exitCode = await _host!.StopAsync(StopTimeout);
        Assert.Equal(0, exitCode);
        foreach (var resource in resources.Where(r => r.Pid is not null))
        {
            Assert.False(AppHostProcess.IsAlive(resource.Pid!.Value), $"{resource.Name} ({resource.Pid}) is still running");
        }
        Assert.Empty(AppHostProcess.ProcessesMentioning(_stateDirectory));
    }
}
