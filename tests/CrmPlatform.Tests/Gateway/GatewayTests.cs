using System.Net;
using CrmPlatform.Gateway;
using CrmPlatform.Tests.Infrastructure;

namespace CrmPlatform.Tests.Gateway;

/// <summary>One real Identity for the gateway tests: the gateway validates tokens with its keys.</summary>
public sealed class IdentityFixture : IAsyncLifetime
{
    public IdentityServer Identity { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Identity = await IdentityServer.StartAsync(await (await TestServers.GetAsync()).CreateVirtualHostAsync());

    public async Task DisposeAsync() => await Identity.DisposeAsync();
}

public sealed class GatewayTests(IdentityFixture fixture) : IAsyncLifetime, IClassFixture<IdentityFixture>
{
    private readonly Dictionary<string, EchoService> _services = [];
    private readonly IdentityServer _identity = fixture.Identity;
    private ServiceFactory<DownstreamHealthCheck> _gateway = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        foreach (var name in new[] { "contacts", "sales", "marketing", "service", "integrations" })
        {
            _services[name] = await EchoService.StartAsync(name);
        }
        _gateway = StartGateway();
        _client = _gateway.CreateClient();
        _client.DefaultRequestHeaders.Authorization = new("Bearer", await _identity.AdminTokenAsync());
    }

    private ServiceFactory<DownstreamHealthCheck> StartGateway(Dictionary<string, string>? overrides = null)
    {
        var settings = _services.ToDictionary(s => $"services:{s.Key}:http:0", s => s.Value.Address);
        settings["services:identity:http:0"] = _identity.Address;
        settings["Cors:AllowedOrigins:0"] = "https://app.example.test";
        settings["Limits:MaxRequestBodyBytes"] = "4096";
        foreach (var (key, value) in overrides ?? [])
        {
            settings[key] = value;
        }
        var gateway = new ServiceFactory<DownstreamHealthCheck>(settings);
        // Real Kestrel rather than the in-memory test server: forwarding headers depend on a real client connection.
        gateway.StartOnKestrel();
        return gateway;
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        foreach (var service in _services.Values)
        {
            await service.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("/api/v1/people", "contacts")]
    [InlineData("/api/v1/people/0199e000-0000-7000-8000-000000000001?limit=5", "contacts")]
    [InlineData("/api/v1/organizations/x/y", "contacts")]
    [InlineData("/api/v1/opportunities?cursor=abc", "sales")]
    [InlineData("/api/v1/products?limit=5", "sales")]
    [InlineData("/api/v1/price-books/0199e000-0000-7000-8000-000000000001", "sales")]
    [InlineData("/api/v1/quotes/0199e000-0000-7000-8000-000000000001/document", "sales")]
    [InlineData("/api/v1/pipelines", "sales")]
    [InlineData("/api/v1/pipelines/0199e000-0000-7000-8000-000000000001/board", "sales")]
    [InlineData("/api/v1/imports/0199e000-0000-7000-8000-000000000001/rejected", "contacts")]
    [InlineData("/api/v1/duplicates?kind=person", "contacts")]
    [InlineData("/api/v1/merges/0199e000-0000-7000-8000-000000000001", "contacts")]
    [InlineData("/api/v1/gdpr/requests", "contacts")]
    [InlineData("/api/v1/people/0199e000-0000-7000-8000-000000000001/consents/history?limit=5", "contacts")]
    [InlineData("/api/v1/marketing/contacts/0199e000-0000-7000-8000-000000000001/can-contact?purpose=newsletter&channel=email", "marketing")]
    [InlineData("/api/v1/forms?limit=5", "marketing")]
    [InlineData("/api/v1/forms/0199e000-0000-7000-8000-000000000001", "marketing")]
    [InlineData("/api/v1/journeys/0199e000-0000-7000-8000-000000000001/enrolments", "marketing")]
    [InlineData("/api/v1/attribution/campaigns?model=linear", "marketing")]
    [InlineData("/api/v1/tickets/0199e000-0000-7000-8000-000000000001/assignments", "service")]
    [InlineData("/api/v1/support-agents/agent-1", "service")]
    [InlineData("/api/v1/routing-rules?limit=5", "service")]
    [InlineData("/api/v1/support-addresses?limit=5", "service")]
    [InlineData("/api/v1/event-subscriptions/0199e000-0000-7000-8000-000000000001/deliveries?status=dead", "integrations")]
    public async Task Routes_each_path_to_its_service_unchanged(string path, string service)
    {
        var answer = await _client.GetJsonAsync(path);

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal(service, answer.Body.Str("service"));
        Assert.Equal(path, answer.Body.Str("path"));
    }

    [Fact]
    public async Task Forwards_trace_context_and_x_forwarded_headers()
    {
        const string traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/people");
        request.Headers.Add("traceparent", $"00-{traceId}-00f067aa0ba902b7-01");

        // A client that sends our traceparent as is (the test process itself is traced, and would replace it).
        using var client = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = _client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = _client.DefaultRequestHeaders.Authorization;
        var response = await client.SendAsync(request);
        var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var headers = body.GetProperty("headers");

        Assert.Contains(traceId, headers.Str("traceparent"));
        Assert.DoesNotContain("00f067aa0ba902b7", headers.Str("traceparent"));
        Assert.Equal("http", headers.Str("x-forwarded-proto"));
        Assert.Equal(_client.BaseAddress!.Authority, headers.Str("x-forwarded-host"));
        Assert.Equal("127.0.0.1", headers.Str("x-forwarded-for"));
    }

    [Fact]
    public async Task Without_a_valid_token_the_api_answers_401_and_nothing_reaches_the_service()
    {
        using var anonymous = _gateway.CreateClient();
        (await anonymous.GetJsonAsync("/api/v1/people")).AssertProblem(HttpStatusCode.Unauthorized);
        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", "not-a-token");
        (await anonymous.GetJsonAsync("/api/v1/opportunities")).AssertProblem(HttpStatusCode.Unauthorized);
        (await anonymous.GetJsonAsync("/api/v1/unknown")).AssertProblem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_token_endpoint_and_discovery_are_reachable_without_a_token()
    {
        using var anonymous = _gateway.CreateClient();
        var discovery = await anonymous.GetJsonAsync("/.well-known/openid-configuration");
        Assert.Equal(HttpStatusCode.OK, discovery.Status);
        Assert.Equal(IdentityServer.Issuer, discovery.Body.Str("issuer"));

        var token = await anonymous.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = "nobody", ["client_secret"] = "wrong",
        }));
        Assert.Equal(HttpStatusCode.Unauthorized, token.StatusCode);
        Assert.Contains("invalid_client", await token.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_double_opt_in_confirmation_reaches_contacts_without_a_token()
    {
        using var anonymous = _gateway.CreateClient();
        var page = await anonymous.GetJsonAsync("/api/v1/consents/confirm?token=abc");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal(("contacts", "/api/v1/consents/confirm?token=abc"), (page.Body.Str("service"), page.Body.Str("path")));

        var confirm = await anonymous.PostJsonAsync("/api/v1/consents/confirm", new { token = "abc" });
        Assert.Equal(("contacts", "/api/v1/consents/confirm"), (confirm.Body.Str("service"), confirm.Body.Str("path")));
        // Only that path: the rest of the consents API still needs a token.
        (await anonymous.GetJsonAsync("/api/v1/consents")).AssertProblem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Public_web_forms_reach_marketing_without_a_token_and_it_answers_their_cors_itself()
    {
        using var anonymous = _gateway.CreateClient();
        const string form = "/api/v1/public/forms/0199e000-0000-7000-8000-000000000001";
        var snippet = await anonymous.GetJsonAsync($"{form}/snippet");
        Assert.Equal((HttpStatusCode.OK, "marketing", $"{form}/snippet"), (snippet.Status, snippet.Body.Str("service"), snippet.Body.Str("path")));
        var submitted = await anonymous.PostJsonAsync($"{form}/submissions", new { email = "a@example.com" });
        Assert.Equal(("marketing", "POST"), (submitted.Body.Str("service"), submitted.Body.Str("method")));

        // A preflight from a site the gateway does not know goes to Marketing, which knows each form's origins.
        using var request = new HttpRequestMessage(HttpMethod.Options, $"{form}/submissions");
        request.Headers.Add("Origin", "https://www.customer-site.example");
        request.Headers.Add("Access-Control-Request-Method", "POST");
        var preflight = await anonymous.SendAsync(request);
        var echoed = System.Text.Json.JsonDocument.Parse(await preflight.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(("marketing", "OPTIONS"), (echoed.Str("service"), echoed.Str("method")));

        // The definitions are not public.
        (await anonymous.GetJsonAsync("/api/v1/forms")).AssertProblem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Cors_preflight_is_answered_for_configured_origins_only()
    {
        using var anonymous = _gateway.CreateClient();
        async Task<HttpResponseMessage> PreflightAsync(string origin)
        {
            using var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/people");
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Access-Control-Request-Method", "PUT");
            request.Headers.Add("Access-Control-Request-Headers", "authorization,if-match");
            return await anonymous.SendAsync(request);
        }

        var allowed = await PreflightAsync("https://app.example.test");
        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
        Assert.Equal("https://app.example.test", Assert.Single(allowed.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains("PUT", allowed.Headers.GetValues("Access-Control-Allow-Methods").Single());

        var refused = await PreflightAsync("https://evil.example.test");
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task An_oversized_body_answers_413_before_reaching_the_service()
    {
        var answer = await _client.SendJsonAsync(HttpMethod.Post, "/api/v1/people", new { firstName = new string('x', 5000) });
        answer.AssertProblem(HttpStatusCode.RequestEntityTooLarge);

        var small = await _client.SendJsonAsync(HttpMethod.Post, "/api/v1/people", new { firstName = "x" });
        Assert.Equal(HttpStatusCode.OK, small.Status);
        Assert.Equal("POST", small.Body.Str("method"));
    }

    [Fact]
    public async Task An_import_upload_may_be_larger_and_is_streamed_to_contacts()
    {
        var file = new ByteArrayContent(new byte[6000]);
        using var upload = await _client.PostAsync("/api/v1/imports?fileName=people.csv", file);
        var body = System.Text.Json.JsonDocument.Parse(await upload.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((HttpStatusCode.OK, "contacts", "/api/v1/imports"), (upload.StatusCode, body.Str("service"), body.Str("path").Split('?')[0]));

        // Only the upload: any other request keeps the usual limit, even to Contacts.
        var other = await _client.SendJsonAsync(HttpMethod.Post, "/api/v1/people", new { firstName = new string('x', 6000) });
        other.AssertProblem(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task A_ticket_attachment_may_be_larger_and_is_streamed_to_service()
    {
        var file = new ByteArrayContent(new byte[6000]);
        using var upload = await _client.PostAsync("/api/v1/tickets/0199e000-0000-7000-8000-000000000001/messages/0199e000-0000-7000-8000-000000000002/attachments", file);
        var body = System.Text.Json.JsonDocument.Parse(await upload.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((HttpStatusCode.OK, "service"), (upload.StatusCode, body.Str("service")));

        // Only tickets: another service's routes keep the usual limit.
        var other = await _client.SendJsonAsync(HttpMethod.Post, "/api/v1/support-groups", new { name = new string('x', 6000) });
        other.AssertProblem(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Rate_limits_per_client_and_per_tenant_answer_429_with_retry_after()
    {
        await using var gateway = StartGateway(new() { ["RateLimits:PerClient"] = "3", ["RateLimits:PerTenant"] = "4", ["RateLimits:WindowSeconds"] = "3600" });
        var (tenant, firstToken) = await _identity.NewTenantAsync();
        var secondToken = await _identity.NewClientTokenAsync(tenant);
        using var first = gateway.CreateClient();
        first.DefaultRequestHeaders.Authorization = new("Bearer", firstToken);
        using var second = gateway.CreateClient();
        second.DefaultRequestHeaders.Authorization = new("Bearer", secondToken);

        var answers = new List<ApiAnswer>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add(await first.GetJsonAsync("/api/v1/people"));
        }
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Equal(["2", "1", "0"], answers.Select(a => a.Response.Headers.GetValues("RateLimit-Remaining").Single()));
        Assert.Equal("3", answers[0].Response.Headers.GetValues("RateLimit-Limit").Single());

        // The client is out of requests; the tenant has one left, which the second client takes.
        var limited = await first.GetJsonAsync("/api/v1/people");
        limited.AssertProblem(HttpStatusCode.TooManyRequests);
        Assert.InRange(int.Parse(limited.Response.Headers.GetValues("Retry-After").Single()), 1, 3600);
        Assert.Equal(HttpStatusCode.OK, (await second.GetJsonAsync("/api/v1/people")).Status);
        (await second.GetJsonAsync("/api/v1/people")).AssertProblem(HttpStatusCode.TooManyRequests);

        // Other tenants are not affected.
        Assert.Equal(HttpStatusCode.OK, (await _client.GetJsonAsync("/api/v1/people")).Status);
    }

    [Fact]
    public async Task Api_docs_and_each_services_openapi_document_are_served_without_a_token()
    {
        using var anonymous = _gateway.CreateClient();
        var contacts = await anonymous.GetJsonAsync("/docs/openapi/contacts.json");
        Assert.Equal(HttpStatusCode.OK, contacts.Status);
        Assert.Equal("contacts", contacts.Body.Str("service"));
        Assert.Equal("/openapi/v1.json", contacts.Body.Str("path"));
        Assert.Equal("sales", (await anonymous.GetJsonAsync("/docs/openapi/sales.json")).Body.Str("service"));
        Assert.Equal("marketing", (await anonymous.GetJsonAsync("/docs/openapi/marketing.json")).Body.Str("service"));

        var ui = await anonymous.GetAsync("/docs");
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
        Assert.Equal("text/html", ui.Content.Headers.ContentType?.MediaType);
        // Scalar refers to the documents relative to the page it serves under /docs/.
        var page = await ui.Content.ReadAsStringAsync();
        Assert.Contains("openapi/contacts.json", page);
        // The event catalogue is listed beside them.
        Assert.Contains("asyncapi/events.json", page);
    }

    [Fact]
    public async Task The_event_catalogue_is_served_without_a_token_next_to_the_openapi_documents()
    {
        using var anonymous = _gateway.CreateClient();
        var response = await anonymous.GetAsync("/docs/asyncapi/events.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var served = await response.Content.ReadAsStringAsync();
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(Repository.Root, "contract", "asyncapi.json")), served);
        using var document = System.Text.Json.JsonDocument.Parse(served);
        Assert.Equal("3.0.0", document.RootElement.GetProperty("asyncapi").GetString());
        Assert.True(document.RootElement.GetProperty("channels").TryGetProperty("Contacts.V1.PersonCreated", out _));
    }

    [Fact]
    public async Task Unknown_routes_answer_a_404_problem()
    {
        (await _client.GetJsonAsync("/api/v1/unknown")).AssertProblem(HttpStatusCode.NotFound);
        (await _client.SendJsonAsync(HttpMethod.Post, "/nothing/here", "{}")).AssertProblem(HttpStatusCode.NotFound);
    }

    /// <summary>
    /// Requests Kestrel refuses before routing (here a <c>%00</c> in the path and a header line without a colon) answer
    /// a problem with a trace id like every other error; an answer before them on the same connection is untouched.
    /// Sent over a raw socket: HTTP clients refuse to send such requests at all.
    /// </summary>
    [Theory]
    [InlineData("GET /api/v1/people/%00 HTTP/1.1\r\nHost: localhost\r\n\r\n")]
    [InlineData("GET /api/v1/people HTTP/1.1\r\nHost: localhost\r\nNo colon here\r\n\r\n")]
    public async Task Requests_refused_before_routing_answer_a_problem_with_a_trace_id(string refused)
    {
        var address = new Uri(_gateway.Address);
        using var socket = new System.Net.Sockets.TcpClient();
        await socket.ConnectAsync(address.Host, address.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes("GET /api/v1/unknown HTTP/1.1\r\nHost: localhost\r\n\r\n" + refused));
        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
        var answers = await reader.ReadToEndAsync();

        var parts = answers.Split("HTTP/1.1 ", StringSplitOptions.RemoveEmptyEntries);
        Assert.True(parts.Length == 2 && parts[0].StartsWith("401 Unauthorized\r\n", StringComparison.Ordinal)
            && parts[1].StartsWith("400 Bad Request\r\n", StringComparison.Ordinal), answers);
        var head = parts[1][..parts[1].IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        Assert.Contains("\r\nContent-Type: application/problem+json", head);
        var traceId = System.Text.RegularExpressions.Regex.Match(head, "\r\nX-Trace-Id: ([0-9a-f]{32})").Groups[1].Value;
        Assert.NotEmpty(traceId);
        var problem = System.Text.Json.JsonDocument.Parse(parts[1][(head.Length + 4)..]).RootElement;
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Equal("Bad Request", problem.Str("title"));
        Assert.Equal(traceId, problem.Str("traceId"));
        Assert.StartsWith("The server refused the request before routing it: ", problem.Str("detail"));
    }

    [Fact]
    public async Task Health_reports_the_readiness_of_every_service_behind_it()
    {
        var healthy = await _client.GetJsonAsync("/health");
        Assert.Equal(HttpStatusCode.OK, healthy.Status);
        Assert.Equal("Healthy", healthy.Body.Str("status"));

        _services["marketing"].Healthy = false;
        try
        {
            var unhealthy = await _client.GetJsonAsync("/health");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unhealthy.Status);
            Assert.Equal("Unhealthy", unhealthy.Body.GetProperty("checks").GetProperty("marketing").Str("status"));
            Assert.Equal("Healthy", unhealthy.Body.GetProperty("checks").GetProperty("sales").Str("status"));
        }
        finally
        {
            _services["marketing"].Healthy = true;
        }

        Assert.Equal(HttpStatusCode.OK, (await _client.GetJsonAsync("/alive")).Status);
    }
}
