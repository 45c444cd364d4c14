using System.Net;
using System.Text.Json;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;

namespace CrmPlatform.Tests.Service;

/// <summary>
/// Canned responses through Service's API on real PostgreSQL: templates checked when saved (422 with line and column),
/// rendering with fallbacks and only the allow-listed model, personal responses visible to their owner only,
/// permissions and tenant isolation.
/// </summary>
public sealed class CannedResponsesApiTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;

    private async Task<HttpClient> AsAsync(string role, Guid? tenant = null, string? subject = null) =>
        Platform.ClientFor(Platform.Service, await Platform.Identity.SignedTokenAsync(subject ?? $"{role}-{Guid.NewGuid():N}", tenant ?? TenantContext.DefaultTenantId, role));

    private static object Response(string body, string? name = null, string format = "text", string language = "en", bool shared = true) =>
        new { name = name ?? $"Reply {Guid.NewGuid():N}", body, format, language, shared };

    private static async Task<JsonElement> CreateAsync(HttpClient client, object response) =>
        await client.PostJsonAsync("/api/v1/canned-responses", response).CreatedAsync();

    private static readonly object Model = new
    {
        ticket = new { reference = "SR-1042", subject = "Rechnung fehlt", status = "open" },
        requester = new { lastName = "Hopper", email = "grace@example.com", secretNote = "must not show" },
        agent = new { name = "Ada Lovelace", firstName = "Ada" },
    };

    [Fact]
    public async Task A_template_with_a_syntax_error_is_refused_naming_line_and_column()
    {
        var agent = await AsAsync(Roles.ServiceAgent);

        var refused = await agent.PostJsonAsync("/api/v1/canned-responses", Response("Hello {{ requester.first_name }},\n{% if ticket.reference %}\nabout {{ ticket.reference }"));

        refused.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(3, refused.Body.GetProperty("line").GetInt32());
        Assert.True(refused.Body.GetProperty("column").GetInt32() > 0);
        Assert.Contains("line 3", refused.Body.Str("detail"));
        Assert.True(refused.Body.GetProperty("errors").TryGetProperty("body", out _));

        var saved = await CreateAsync(agent, Response("Hello"));
        var update = await agent.PutJsonAsync($"/api/v1/canned-responses/{saved.Id()}", Response("{% for x in y %}never closed"), saved.ETag());
        update.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("Hello", (await agent.GetJsonAsync($"/api/v1/canned-responses/{saved.Id()}")).Body.Str("body"));

        var invalid = await agent.PostJsonAsync("/api/v1/canned-responses", new { name = "", body = "", format = "pdf", language = "xx" });
        invalid.AssertProblem(HttpStatusCode.BadRequest);
        Assert.Equal(4, invalid.Body.GetProperty("errors").EnumerateObject().Count());
    }

    [Fact]
    public async Task Rendering_fills_in_the_ticket_with_fallbacks_and_nothing_beyond_the_model()
    {
        var agent = await AsAsync(Roles.ServiceAgent);
        var canned = await CreateAsync(agent, Response(
            "Hallo {{ requester.first_name | default: \"there\" }} {{ requester.last_name }},\nIhr Ticket {{ ticket.reference }} ({{ ticket.subject }}).\n" +
            "[{{ requester.secret_note }}][{{ requester.secretNote }}][{{ requester.GetType }}][{{ ticket.Id }}][{{ agent.password }}]\n{{ agent.name }}", language: "de"));

        var rendered = await agent.PostJsonAsync($"/api/v1/canned-responses/{canned.Id()}/render", Model);

        Assert.Equal(HttpStatusCode.OK, rendered.Status);
        Assert.Equal("Hallo there Hopper,\nIhr Ticket SR-1042 (Rechnung fehlt).\n[][][][][]\nAda Lovelace", rendered.Body.Str("body"));
        Assert.Equal("de", rendered.Body.Str("language"));

        var empty = await agent.PostJsonAsync($"/api/v1/canned-responses/{canned.Id()}/render", new { });
        Assert.StartsWith("Hallo there ,", empty.Body.Str("body"));
    }

    [Fact]
    public async Task Html_responses_encode_what_the_requester_typed()
    {
        var agent = await AsAsync(Roles.ServiceAgent);
        var canned = await CreateAsync(agent, Response("<p>Hello {{ requester.first_name }}</p><p>{{ agent.signature }}</p>", format: "html"));

        var rendered = await agent.PostJsonAsync($"/api/v1/canned-responses/{canned.Id()}/render", new
        {
            requester = new { firstName = "<img src=x onerror=alert(1)>" },
            agent = new { signature = "Ada & team" },
        });

        var html = rendered.Body.Str("body");
        Assert.Contains("<p>Hello &lt;img src=x onerror=alert(1)&gt;</p>", html);
        Assert.Contains("Ada &amp; team", html);
        Assert.DoesNotContain("<img", html);
    }

    [Fact]
    public async Task A_runaway_template_fails_its_render_with_a_problem()
    {
        var agent = await AsAsync(Roles.ServiceAgent);
        var canned = await CreateAsync(agent, Response("{% for i in (1..10000000) %}{{ i }}{% endfor %}"));

        (await agent.PostJsonAsync($"/api/v1/canned-responses/{canned.Id()}/render", Model)).AssertProblem(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Personal_responses_are_their_owners_alone_and_shared_ones_everyones()
    {
        var ada = await AsAsync(Roles.ServiceAgent, subject: $"ada-{Guid.NewGuid():N}");
        var grace = await AsAsync(Roles.ServiceAgent, subject: $"grace-{Guid.NewGuid():N}");
        var mine = await CreateAsync(ada, Response("Mine", shared: false));
        var ours = await CreateAsync(ada, Response("Ours"));
        Assert.False(mine.GetProperty("shared").GetBoolean());

        (await grace.GetJsonAsync($"/api/v1/canned-responses/{mine.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        (await grace.PostJsonAsync($"/api/v1/canned-responses/{mine.Id()}/render", Model)).AssertProblem(HttpStatusCode.NotFound);
        (await grace.DeleteJsonAsync($"/api/v1/canned-responses/{mine.Id()}", Api.AnyVersion)).AssertProblem(HttpStatusCode.NotFound);
        var gracesList = (await grace.GetJsonAsync("/api/v1/canned-responses?limit=200")).Items().Select(r => r.Id()).ToList();
        Assert.Contains(ours.Id(), gracesList);
        Assert.DoesNotContain(mine.Id(), gracesList);
        var adasOwn = (await ada.GetJsonAsync("/api/v1/canned-responses?filter[shared]=false")).Items().Select(r => r.Id()).ToList();
        Assert.Equal([mine.Id()], adasOwn);

        (await grace.PutJsonAsync($"/api/v1/canned-responses/{ours.Id()}", Response("Now mine", name: ours.Str("name"), shared: false), ours.ETag()))
            .AssertProblem(HttpStatusCode.Conflict);
        var edited = await grace.PutJsonAsync($"/api/v1/canned-responses/{ours.Id()}", Response("Still ours", name: ours.Str("name")), ours.ETag());
        Assert.Equal("Still ours", edited.Body.Str("body"));
        Assert.Equal(HttpStatusCode.NoContent, (await ada.DeleteJsonAsync($"/api/v1/canned-responses/{mine.Id()}", mine.ETag())).Status);
    }

    [Fact]
    public async Task Only_agents_and_admins_use_them_and_another_tenant_sees_none()
    {
        var agent = await AsAsync(Roles.ServiceAgent);
        var canned = await CreateAsync(agent, Response("Hi"));

        (await (await AsAsync(Roles.SalesRep)).GetJsonAsync("/api/v1/canned-responses")).AssertProblem(HttpStatusCode.Forbidden);
        (await (await AsAsync(Roles.ReadOnly)).PostJsonAsync("/api/v1/canned-responses", Response("x"))).AssertProblem(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.OK, (await (await AsAsync(Roles.Admin)).GetJsonAsync($"/api/v1/canned-responses/{canned.Id()}")).Status);
        (await agent.PostJsonAsync("/api/v1/canned-responses", Response("Hi again", name: canned.Str("name")))).AssertProblem(HttpStatusCode.Conflict);

        var stranger = await AsAsync(Roles.ServiceAgent, Guid.CreateVersion7());
        (await stranger.GetJsonAsync($"/api/v1/canned-responses/{canned.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        (await stranger.PostJsonAsync($"/api/v1/canned-responses/{canned.Id()}/render", Model)).AssertProblem(HttpStatusCode.NotFound);
        Assert.Empty((await stranger.GetJsonAsync("/api/v1/canned-responses")).Items());
    }
}
