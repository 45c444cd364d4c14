using System.Net;
using Aspire.Hosting.ApplicationModel;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CrmPlatform.Tests.EndToEnd;

/// <summary>The whole platform on Aspire, used only through the gateway, watched through Aspire's own states and telemetry.</summary>
[Collection(PlatformCollection.Name)]
public sealed class PlatformTests(PlatformFixture fixture)
{
    private PlatformHost Host => fixture.Host;

    [Fact]
    public async Task Every_resource_of_the_app_host_runs_healthy_with_what_aspire_gave_it()
    {
        Assert.Equal(
            ["contacts", "contactsdb", "gateway", "identity", "identitydb", "integrations", "integrationsdb", "mail", "marketing",
             "marketingdb", "messaging", "messaging-epmd", "postgres", "sales", "salesdb", "service", "servicedb"],
            Host.ResourceNames.Order());
        Assert.All(Host.ResourceNames,
            name => Assert.Equal((KnownResourceStates.Running, HealthStatus.Healthy), (Host.Snapshot(name).State?.Text, Host.Snapshot(name).HealthStatus)));

        // Services get their connection strings, peers and telemetry settings from Aspire itself.
        var contacts = Host.Snapshot("contacts").EnvironmentVariables.ToDictionary(v => v.Name, v => v.Value ?? "");
        Assert.StartsWith("Host=127.0.0.1;", contacts["ConnectionStrings__contactsdb"]);
        Assert.Contains(";Username=contacts;", contacts["ConnectionStrings__contactsdb"]);
        Assert.StartsWith("amqp://crm:", contacts["ConnectionStrings__messaging"]);
        Assert.StartsWith("http://localhost:", contacts["services__identity__http__0"]);
        Assert.Equal(("contacts", "grpc"), (contacts["OTEL_SERVICE_NAME"], contacts["OTEL_EXPORTER_OTLP_PROTOCOL"]));
        Assert.Equal($"{Host.Gateway}api/v1/consents/confirm", contacts["DoubleOptIn__ConfirmationUrl"]);

        // Marketing's bounce listener answers SMTP on the endpoint Aspire gave it, for its bounce domain only.
        var marketing = Host.Snapshot("marketing").EnvironmentVariables.ToDictionary(v => v.Name, v => v.Value ?? "");
        Assert.Equal("bounces.localhost", marketing["Marketing__Bounces__Domain"]);
        using (var bounces = new MailKit.Net.Smtp.SmtpClient())
        {
            await bounces.ConnectAsync("127.0.0.1", int.Parse(marketing["Marketing__Bounces__Port"]), MailKit.Security.SecureSocketOptions.None);
            var notOurs = new MimeKit.MimeMessage { Subject = "Relay?", Body = new MimeKit.TextPart("plain") { Text = "?" } };
            notOurs.From.Add(MimeKit.MailboxAddress.Parse("someone@example.org"));
            var relay = await Assert.ThrowsAsync<MailKit.Net.Smtp.SmtpCommandException>(() => bounces.SendAsync(notOurs,
                MimeKit.MailboxAddress.Parse("someone@example.org"), [MimeKit.MailboxAddress.Parse("victim@example.org")]));
            Assert.Equal(MailKit.Net.Smtp.SmtpErrorCode.RecipientNotAccepted, relay.ErrorCode);
        }

        // Each database has its own login role, which reaches no other database.
        var salesDb = contacts["ConnectionStrings__contactsdb"].Replace("Database=contactsdb", "Database=salesdb");
        await using var intruder = new Npgsql.NpgsqlConnection(salesDb);
        var refused = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => intruder.OpenAsync());
        Assert.Equal(Npgsql.PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);

        using var anonymous = new HttpClient { BaseAddress = Host.Gateway };
        (await anonymous.GetJsonAsync("/api/v1/people")).AssertProblem(HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health")).StatusCode);
    }

    [Fact]
    public async Task A_person_created_through_the_gateway_reaches_sales_and_marketing_in_one_trace()
    {
        var gateway = await Host.GatewayClientAsync();
        var organization = await gateway.PostJsonAsync("/api/v1/organizations", new { name = "Analytical Engines Ltd", domain = $"{Guid.NewGuid():N}.test" });
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

        // Consent recorded in Contacts reaches Marketing's replica.
        var canContact = $"/api/v1/marketing/contacts/{personId}/can-contact?purpose=newsletter&channel=email";
        Assert.False((await gateway.GetJsonAsync(canContact)).Body.GetProperty("allowed").GetBoolean());
        Assert.Equal(HttpStatusCode.Created, (await gateway.PostJsonAsync($"/api/v1/people/{personId}/consents",
            new { purpose = "newsletter", channel = "email", status = "granted", source = "api" })).Status);
        await Eventually.TrueAsync(async () => (await gateway.GetJsonAsync(canContact)).Body.GetProperty("allowed").GetBoolean(),
            "Marketing may contact the person once the grant arrives");

        (await gateway.GetJsonAsync("/api/v1/nowhere")).AssertProblem(HttpStatusCode.NotFound);

        // Behind the gateway, a service describes itself at the gateway's address (X-Forwarded-* from loopback only).
        var document = await gateway.GetJsonAsync("/docs/openapi/contacts.json");
        Assert.Equal($"{Host.Gateway}".TrimEnd('/'), document.Body.GetProperty("servers")[0].Str("url"));

        await AssertOneTraceFromGatewayThroughMessagingToSalesAsync(person.Response.Headers.GetValues("X-Trace-Id").Single());
    }

    [Fact]
    public async Task A_services_structured_logs_are_read_from_aspire_by_a_script_with_the_api_key_in_the_state_folder()
    {
        using var telemetry = Host.TelemetryApi();
        var logs = await Eventually.ReturnsAsync(() => telemetry.GetJsonAsync("/api/telemetry/logs?resource=identity"),
            answer => answer.Status == HttpStatusCode.OK && answer.Body.GetProperty("data").GetProperty("resourceLogs").GetArrayLength() > 0,
            "Identity's logs reach the dashboard");
        var messages = logs.Body.GetProperty("data").GetProperty("resourceLogs").EnumerateArray()
            .SelectMany(r => r.GetProperty("scopeLogs").EnumerateArray()).SelectMany(s => s.GetProperty("logRecords").EnumerateArray())
            .Select(l => l.GetProperty("body").GetProperty("stringValue").GetString()).ToList();
        Assert.Contains(messages, m => m == "Bootstrap admin client crm-admin is ready");

        using var withoutKey = new HttpClient { BaseAddress = Host.Dashboard };
        Assert.Equal(HttpStatusCode.Unauthorized, (await withoutKey.GetAsync("/api/telemetry/logs?resource=identity")).StatusCode);
    }

    /// <summary>
    /// The request that created the person and the event it caused form one trace in Aspire's telemetry: the gateway's
    /// server span, Contacts and its database, the publish to RabbitMQ (through the outbox, under the request's
    /// context), and Sales consuming it, each a descendant of the gateway's span.
    /// </summary>
    private async Task AssertOneTraceFromGatewayThroughMessagingToSalesAsync(string traceId)
    {
        using var telemetry = Host.TelemetryApi();
        var spans = await Eventually.ReturnsAsync(
            async () => await telemetry.GetJsonAsync($"/api/telemetry/traces/{traceId}") is { Status: HttpStatusCode.OK } answer ? Span.In(answer.Body) : [],
            // Each service exports on its own schedule: wait for both ends of the trace.
            found => found.Any(s => s is { Service: "sales", Kind: Span.Consumer }) && found.Any(s => s is { Service: "gateway", Kind: Span.Server }),
            "the trace runs from the gateway to Sales", TimeSpan.FromSeconds(60));
        var byId = spans.ToDictionary(s => s.SpanId);

        var root = spans.Single(s => s.ParentSpanId is null || !byId.ContainsKey(s.ParentSpanId));
        Assert.Equal(("gateway", Span.Server), (root.Service, root.Kind));
        Assert.Contains(spans, s => s.Service == "contacts" && s.Attributes.ContainsKey("db.system.name"));
        Assert.Contains(spans, s => s is { Service: "contacts", Kind: Span.Producer } && s.Attributes.GetValueOrDefault("messaging.system") == "rabbitmq");

        var consumer = spans.First(s => s is { Service: "sales", Kind: Span.Consumer });
        List<string> ancestors = [];
        for (var span = consumer; span.ParentSpanId is { } parent && byId.ContainsKey(parent); span = byId[parent])
        {
            ancestors.Add(byId[parent].Service);
        }

        Assert.Equal("gateway", ancestors[^1]);
        Assert.Contains("contacts", ancestors);
    }
}
