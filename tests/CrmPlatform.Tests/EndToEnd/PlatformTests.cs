using System.Net;
using System.Text.Json;
using RabbitMQ.Client;
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
            ["contacts", "gateway", "identity", "mail", "marketing", "messaging", "postgres", "sales", "service"],
            resources.Where(r => r.Kind != "PostgresDatabase").Select(r => r.Name).Order().ToArray());

        // Each service's own checks, as its /health reports them; the probe itself for the rest.
        Assert.Equal(["masstransit-bus", "postgres", "rabbitmq", "self"], resources.Single(r => r.Name == "contacts").HealthReports.Select(c => c.Name).Order().ToArray());
        Assert.All(resources.SelectMany(r => r.HealthReports), check => Assert.Equal("Healthy", check.Status));
        Assert.Equal("PostgreSQL connection", Assert.Single(resources.Single(r => r.Name == "postgres").HealthReports).Name);

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

        // Consent recorded in Contacts reaches Marketing's replica: can-contact flips to allowed, then back on withdrawal.
        var canContact = $"/api/v1/marketing/contacts/{personId}/can-contact?purpose=newsletter&channel=email";
        Assert.False((await gateway.GetJsonAsync(canContact)).Body.GetProperty("allowed").GetBoolean());
        Assert.Equal(HttpStatusCode.Created, (await gateway.PostJsonAsync($"/api/v1/people/{personId}/consents",
            new { purpose = "newsletter", channel = "email", status = "granted", source = "api" })).Status);
        await Eventually.TrueAsync(async () => (await gateway.GetJsonAsync(canContact)).Body.GetProperty("allowed").GetBoolean(),
            "Marketing may contact the person once the grant arrives");
        Assert.Equal(HttpStatusCode.Created, (await gateway.PostJsonAsync($"/api/v1/people/{personId}/consents",
            new { purpose = "newsletter", channel = "email", status = "withdrawn", source = "api" })).Status);
        await Eventually.TrueAsync(async () => (await gateway.GetJsonAsync(canContact)).Body.Str("reason") == "withdrawn",
            "Marketing sees the withdrawal");

        (await gateway.GetJsonAsync("/api/v1/nowhere")).AssertProblem(HttpStatusCode.NotFound);

        await AssertOneTraceFromGatewayToSalesAsync(person.Response.Headers.GetValues("X-Trace-Id").Single());

        // Behind the gateway, a service describes itself at the gateway's address (X-Forwarded-* from loopback only).
        var document = await gateway.GetJsonAsync("/docs/openapi/contacts.json");
        Assert.Equal($"{_host.Gateway}", document.Body.GetProperty("servers")[0].Str("url"));

        // The services' metrics reach the AppHost's OTLP/gRPC receiver too (their traces: above).
        await Eventually.TrueAsync(async () =>
            (await _host.DashboardApi.GetJsonAsync("/api/telemetry/metrics?service=contacts")).Body.GetProperty("instruments").EnumerateArray()
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

        // Stopped on request, a service stays stopped (not restarted) until it is started again.
        Assert.Equal(HttpStatusCode.NoContent, await _host.CommandAsync("sales", "stop"));
        var stopped = (await _host.ResourcesAsync()).Single(r => r.Name == "sales");
        Assert.Equal(("Exited", (int?)null), (stopped.State, stopped.Pid));
        Assert.False(AppHostProcess.IsAlive(restarted.Pid!.Value));
        Assert.Equal(HttpStatusCode.Conflict, await _host.CommandAsync("sales", "stop"));

        // While Sales is down a person is created; its event waits in Sales' queue. Make it look as if Sales had
        // failed it on every retry (MassTransit's _error twin), to replay it below.
        var unknownToSales = (await gateway.PostJsonAsync("/api/v1/people", Api.NewPerson())).Body.Id();
        await MoveMessagesAsync("sales-contact-directory", "sales-contact-directory_error", expected: 1);

        Assert.Equal(HttpStatusCode.Conflict, await _host.CommandAsync("salesdb", "restart"));
        Assert.Equal(HttpStatusCode.NotFound, await _host.CommandAsync("nowhere", "start"));
        Assert.Equal(HttpStatusCode.NotFound, await _host.CommandAsync("sales", "explode"));
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal("Exited", (await _host.ResourcesAsync()).Single(r => r.Name == "sales").State);
        Assert.Equal(HttpStatusCode.NoContent, await _host.CommandAsync("sales", "start"));
        restarted = await Eventually.ReturnsAsync(
            async () => (await _host.ResourcesAsync()).Single(r => r.Name == "sales"),
            r => r.State == "Running" && r.Health == "Healthy" && r.Pid is not null,
            "sales is started again", TimeSpan.FromMinutes(1));
        var opportunityFor = new { name = "Replayed", amount = 1, currency = "EUR", customerId = unknownToSales };
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await gateway.PostJsonAsync("/api/v1/opportunities", opportunityFor)).Status);
        var errorQueues = await _host.DashboardApi.GetJsonAsync("/api/messaging/error-queues");
        var errorQueue = errorQueues.Body.EnumerateArray().Single(q => q.Str("name") == "sales-contact-directory_error");
        Assert.Equal(("sales-contact-directory", 1), (errorQueue.Str("sourceQueue"), errorQueue.GetProperty("messages").GetInt32()));
        var replay = await _host.DashboardApi.PostJsonAsync("/api/messaging/error-queues/sales-contact-directory_error/replay", new { });
        Assert.Equal(1, replay.Body.GetProperty("replayed").GetInt32());
        (await _host.DashboardApi.PostJsonAsync("/api/messaging/error-queues/nowhere_error/replay", new { })).AssertProblem(HttpStatusCode.NotFound);
        await Eventually.TrueAsync(
            async () => (await gateway.PostJsonAsync("/api/v1/opportunities", opportunityFor)).Status == HttpStatusCode.Created,
            "the replayed event reaches Sales");

        Assert.Equal(HttpStatusCode.NoContent, await _host.CommandAsync("sales", "restart"));
        var afterRestart = (await _host.ResourcesAsync()).Single(r => r.Name == "sales");
        Assert.Equal("Running", afterRestart.State);
        Assert.NotEqual(restarted.Pid, afterRestart.Pid);
        restarted = afterRestart;
        using (var anonymous = new HttpClient { BaseAddress = _host.Dashboard })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/resources/sales/stop", null)).StatusCode);
        }

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

    /// <summary>
    /// The request that created the person and the event it caused form one trace in the AppHost's telemetry: the
    /// gateway's server span, Contacts' server and database spans, and Sales consuming the event, each a descendant of
    /// the gateway's span (through the outbox, which publishes later under the request's context).
    /// </summary>
    private async Task AssertOneTraceFromGatewayToSalesAsync(string traceId)
    {
        var trace = await Eventually.ReturnsAsync(
            () => _host!.DashboardApi.GetJsonAsync($"/api/telemetry/traces/{traceId}"),
            // Each service exports on its own schedule: wait for both ends of the trace.
            answer => answer.Status == HttpStatusCode.OK
                && answer.Body.GetProperty("spans").EnumerateArray().Any(span => span.Str("serviceName") == "sales" && span.Str("kind") == "Consumer")
                && answer.Body.GetProperty("spans").EnumerateArray().Any(span => span.Str("serviceName") == "gateway" && span.Str("kind") == "Server"),
            "the trace runs from the gateway to Sales", TimeSpan.FromSeconds(30));
        var spans = trace.Body.GetProperty("spans").EnumerateArray().ToDictionary(span => span.Str("spanId"));
        var services = trace.Body.GetProperty("services").EnumerateArray().Select(s => s.GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "gateway", "contacts", "sales" }, services);

        // The trace's first span here: the test's own client span, when it has one, is its parent but is not exported.
        var root = spans.Values.Single(span => span.GetProperty("parentSpanId").GetString() is not { } parent || !spans.ContainsKey(parent));
        Assert.Equal(("gateway", "Server"), (root.Str("serviceName"), root.Str("kind")));
        Assert.Contains(spans.Values, span => span.Str("serviceName") == "contacts" && span.GetProperty("attributes").TryGetProperty("db.system.name", out _));
        var consumer = spans.Values.First(span => span.Str("serviceName") == "sales" && span.Str("kind") == "Consumer");
        var ancestors = new List<string>();
        for (var span = consumer; span.GetProperty("parentSpanId").GetString() is { } parent && spans.ContainsKey(parent); span = spans[parent])
        {
            ancestors.Add(spans[parent].Str("serviceName"));
        }

        Assert.Equal("gateway", ancestors[^1]);
        Assert.Contains("contacts", ancestors);
    }

    /// <summary>Moves what waits in one queue of the platform's broker to another, straight over AMQP.</summary>
    private async Task MoveMessagesAsync(string from, string to, int expected)
    {
        var secrets = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_stateDirectory, "secrets.json"))).RootElement;
        var ports = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_stateDirectory, "ports.json"))).RootElement;
        var factory = new ConnectionFactory
        {
            Uri = new Uri($"amqp://crm:{Uri.EscapeDataString(secrets.Str("messaging"))}@127.0.0.1:{ports.GetProperty("messaging").GetInt32()}/crm"),
        };
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
