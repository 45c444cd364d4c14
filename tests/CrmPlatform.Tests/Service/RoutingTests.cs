using System.Net;
using System.Text.Json;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using static CrmPlatform.Tests.Service.ServiceTestData;

namespace CrmPlatform.Tests.Service;

/// <summary>
/// Routing through Service's API on real PostgreSQL: rules by language, product, topic, category and priority; round
/// robin fair under concurrent creation; least-loaded exact under concurrency; away and unskilled agents skipped; the
/// rule and reason kept on the ticket and in its history; agents' own availability; permissions and tenants. Every test
/// uses a category of its own, so one test's rules never match another's tickets.
/// </summary>
public sealed class RoutingTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;
    private readonly HttpClient _service = fixture.Platform.ClientFor(fixture.Platform.Service);

    private static string NewCategory() => $"category-{Guid.NewGuid():N}";

    private static List<string> NewAgents(int count) => [.. Enumerable.Range(0, count).Select(i => $"agent-{Guid.NewGuid():N}").Order(StringComparer.Ordinal)];

    private async Task<Guid> GroupAsync(string name, IEnumerable<string> members) =>
        (await _service.PostJsonAsync("/api/v1/support-groups", new { name, memberIds = members }).CreatedAsync()).Id();

    private async Task<JsonElement> RuleAsync(string name, Guid group, string category, string method = "round-robin", string[]? requiredSkills = null,
        string[]? languages = null, string[]? priorities = null, int position = 10) =>
        await _service.PostJsonAsync("/api/v1/routing-rules", new
        {
            name, position, targetGroupId = group, method, categories = new[] { category }, requiredSkills, languages, priorities,
        }).CreatedAsync();

    private async Task SkillsAsync(string agent, string[]? languages = null, string[]? products = null, string availability = "available")
    {
        var answer = await _service.PutJsonAsync($"/api/v1/support-agents/{agent}", new { languages, products, availability }, Api.AnyVersion);
        Assert.Equal(HttpStatusCode.OK, answer.Status);
    }

    private async Task<JsonElement> TicketAsync(string category, string? language = null, string? product = null, string? priority = null, string? assigneeId = null) =>
        await _service.PostJsonAsync("/api/v1/tickets", Ticket(requesterEmail: NewEmail(), category: category, language: language, product: product,
            priority: priority, assigneeId: assigneeId)).CreatedAsync();

    [Fact]
    public async Task Round_robin_shares_thirty_concurrent_tickets_ten_each_among_the_available_skilled_agents()
    {
        var category = NewCategory();
        var agents = NewAgents(5);
        var (available, away, unskilled) = (agents.Take(3).ToList(), agents[3], agents[4]);
        foreach (var agent in available)
        {
            await SkillsAsync(agent, languages: ["de", "en"]);
        }
        await SkillsAsync(away, languages: ["de"], availability: "away");
        await SkillsAsync(unskilled, languages: ["fr"]);
        var group = await GroupAsync("Second level", agents);
        var rule = await RuleAsync("German hardware", group, category, requiredSkills: ["language"], languages: ["de"]);

        var tickets = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => TicketAsync(category, language: "de-AT")));

        var counts = tickets.GroupBy(t => t.Str("assigneeId")).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(available.Order(), counts.Keys.Order());
        Assert.All(counts.Values, count => Assert.Equal(10, count));
        Assert.All(tickets, t => Assert.Equal((group, rule.Id()), (t.GetProperty("groupId").GetGuid(), t.GetProperty("assignedByRuleId").GetGuid())));
        var reason = tickets[0].Str("assignmentReason");
        Assert.Contains("rule 'German hardware'", reason);
        Assert.Contains("language=de", reason);
        Assert.Contains("round robin among 3 available members", reason);

        var history = Assert.Single((await _service.GetJsonAsync($"/api/v1/tickets/{tickets[0].Id()}/assignments")).Body.EnumerateArray());
        Assert.Equal((rule.Id(), "creation", reason), (history.GetProperty("ruleId").GetGuid(), history.Str("trigger"), history.Str("reason")));
        Assert.Equal(JsonValueKind.Null, history.GetProperty("previousAssigneeId").ValueKind);
    }

    [Fact]
    public async Task Least_loaded_evens_out_the_load_exactly_even_when_tickets_arrive_at_once()
    {
        var category = NewCategory();
        var agents = NewAgents(3);
        var group = await GroupAsync("Billing", agents);
        // Existing load: 0, 2 and 4 unsolved tickets.
        for (var i = 0; i < 2; i++)
        {
            await TicketAsync(NewCategory(), assigneeId: agents[1]);
        }
        for (var i = 0; i < 4; i++)
        {
            await TicketAsync(NewCategory(), assigneeId: agents[2]);
        }
        await RuleAsync("Billing", group, category, method: "least-loaded");

        var tickets = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => TicketAsync(category)));

        // 12 new over loads 0/2/4: a lock makes each choice see the one before, so all end at 6.
        var added = tickets.GroupBy(t => t.Str("assigneeId")).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal((6, 4, 2), (added.GetValueOrDefault(agents[0]), added.GetValueOrDefault(agents[1]), added.GetValueOrDefault(agents[2])));
        Assert.Contains("least loaded", tickets[0].Str("assignmentReason"));
        foreach (var agent in agents)
        {
            Assert.Equal(6, (await _service.GetJsonAsync($"/api/v1/tickets?filter[assigneeId]={agent}&limit=200")).Items().Count);
        }
    }

    [Fact]
    public async Task Rules_are_tried_in_order_a_group_without_available_agents_queues_the_ticket_and_routing_on_demand_says_why()
    {
        var category = NewCategory();
        var agents = NewAgents(2);
        var urgentGroup = await GroupAsync("Urgent desk", [agents[0]]);
        var generalGroup = await GroupAsync("General", [agents[1]]);
        var urgent = await RuleAsync("Urgent first", urgentGroup, category, priorities: ["urgent"], position: 1);
        var general = await RuleAsync("Everything else", generalGroup, category, position: 2);

        var normal = await TicketAsync(category);
        Assert.Equal((agents[1], general.Id()), (normal.Str("assigneeId"), normal.GetProperty("assignedByRuleId").GetGuid()));
        var pressing = await TicketAsync(category, priority: "urgent");
        Assert.Equal(agents[0], pressing.Str("assigneeId"));
        Assert.Contains("priority=urgent", pressing.Str("assignmentReason"));

        // The urgent desk's only agent goes away (their own say): urgent tickets wait in its queue, unassigned.
        var agent = Platform.ClientFor(Platform.Service, await Platform.Identity.SignedTokenAsync(agents[0], TenantContext.DefaultTenantId, Roles.ServiceAgent));
        var away = await agent.PutJsonAsync("/api/v1/support-agents/me/availability", new { availability = "away" }, null);
        Assert.Equal((HttpStatusCode.OK, "away"), (away.Status, away.Body.Str("availability")));
        (await agent.PutJsonAsync("/api/v1/support-agents/me/availability", new { availability = "asleep" }, null)).AssertProblem(HttpStatusCode.BadRequest);
        (await agent.PutJsonAsync($"/api/v1/support-agents/{agents[1]}", new { availability = "away" }, Api.AnyVersion)).AssertProblem(HttpStatusCode.Forbidden);
        var queued = await TicketAsync(category, priority: "urgent");
        Assert.Equal(JsonValueKind.Null, queued.GetProperty("assigneeId").ValueKind);
        Assert.Equal(urgentGroup, queued.GetProperty("groupId").GetGuid());
        Assert.Contains("no member available", queued.Str("assignmentReason"));

        // Back: routing on demand assigns it, and the history shows both steps.
        await agent.PutJsonAsync("/api/v1/support-agents/me/availability", new { availability = "available" }, null);
        var routed = await _service.PostJsonAsync($"/api/v1/tickets/{queued.Id()}/route", new { });
        Assert.Equal(HttpStatusCode.OK, routed.Status);
        Assert.Equal(agents[0], routed.Body.Str("assigneeId"));
        var history = (await _service.GetJsonAsync($"/api/v1/tickets/{queued.Id()}/assignments")).Body.EnumerateArray().ToList();
        Assert.Equal(["creation", "on-demand"], history.Select(h => h.Str("trigger")));
        Assert.Equal([urgent.Id(), urgent.Id()], history.Select(h => h.GetProperty("ruleId").GetGuid()));

        // A ticket no rule matches is left alone: 422 on demand, nothing recorded.
        var unmatched = await TicketAsync(NewCategory());
        Assert.Equal(JsonValueKind.Null, unmatched.GetProperty("groupId").ValueKind);
        (await _service.PostJsonAsync($"/api/v1/tickets/{unmatched.Id()}/route", new { })).AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Empty((await _service.GetJsonAsync($"/api/v1/tickets/{unmatched.Id()}/assignments")).Body.EnumerateArray());
    }

    [Fact]
    public async Task Groups_rules_and_agents_are_validated_are_the_admins_to_set_and_stay_in_their_tenant()
    {
        (await _service.PostJsonAsync("/api/v1/support-groups", new { name = "" })).AssertProblem(HttpStatusCode.BadRequest);
        (await _service.PostJsonAsync("/api/v1/routing-rules", new { name = "x", position = 1, method = "lottery", priorities = new[] { "asap" }, requiredSkills = new[] { "charm" } }))
            .AssertProblem(HttpStatusCode.BadRequest);
        (await _service.PostJsonAsync("/api/v1/routing-rules", new { name = "x", position = 1, targetGroupId = Guid.NewGuid() })).AssertProblem(HttpStatusCode.UnprocessableEntity);
        (await _service.PutJsonAsync($"/api/v1/support-agents/{Guid.NewGuid():N}", new { availability = "gone" }, Api.AnyVersion)).AssertProblem(HttpStatusCode.BadRequest);

        var group = await _service.PostJsonAsync("/api/v1/support-groups", new { name = "Tier 1", memberIds = new[] { "b", "a", "a" } }).CreatedAsync();
        Assert.Equal(["a", "b"], group.GetProperty("memberIds").EnumerateArray().Select(m => m.GetString()));
        (await _service.PutJsonAsync($"/api/v1/support-groups/{group.Id()}", new { name = "Tier one" }, null)).AssertProblem(HttpStatusCode.PreconditionRequired);
        (await _service.PutJsonAsync($"/api/v1/support-groups/{group.Id()}", new { name = "Tier one" }, "\"9\"")).AssertProblem(HttpStatusCode.PreconditionFailed);
        var renamed = await _service.PutJsonAsync($"/api/v1/support-groups/{group.Id()}", new { name = "Tier one", memberIds = new[] { "a" } }, group.ETag());
        Assert.Equal(HttpStatusCode.OK, renamed.Status);
        var rule = await RuleAsync("Tier one", group.Id(), NewCategory());
        (await _service.DeleteJsonAsync($"/api/v1/support-groups/{group.Id()}", Api.AnyVersion)).AssertProblem(HttpStatusCode.Conflict);

        var reader = Platform.ClientFor(Platform.Service, await Platform.Identity.SignedTokenAsync("agent-reader", TenantContext.DefaultTenantId, Roles.ServiceAgent));
        Assert.Equal(HttpStatusCode.OK, (await reader.GetJsonAsync($"/api/v1/routing-rules/{rule.Id()}")).Status);
        (await reader.PostJsonAsync("/api/v1/routing-rules", new { name = "x", position = 1, targetGroupId = group.Id() })).AssertProblem(HttpStatusCode.Forbidden);
        (await reader.PutJsonAsync($"/api/v1/support-groups/{group.Id()}", new { name = "Mine" }, Api.AnyVersion)).AssertProblem(HttpStatusCode.Forbidden);
        var sales = Platform.ClientFor(Platform.Service, await Platform.Identity.SignedTokenAsync("rep", TenantContext.DefaultTenantId, Roles.SalesRep));
        (await sales.GetJsonAsync("/api/v1/routing-rules")).AssertProblem(HttpStatusCode.Forbidden);
        (await sales.PutJsonAsync("/api/v1/support-agents/me/availability", new { availability = "away" }, null)).AssertProblem(HttpStatusCode.Forbidden);

        var (_, otherToken) = await Platform.Identity.NewTenantAsync();
        var other = Platform.ClientFor(Platform.Service, otherToken);
        (await other.GetJsonAsync($"/api/v1/routing-rules/{rule.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        (await other.GetJsonAsync($"/api/v1/support-groups/{group.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        (await other.PostJsonAsync("/api/v1/routing-rules", new { name = "x", position = 1, targetGroupId = group.Id() })).AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Empty((await other.GetJsonAsync("/api/v1/routing-rules")).Items());
        // Their tickets never go by our rules.
        var theirs = await other.PostJsonAsync("/api/v1/tickets", Ticket(requesterEmail: NewEmail(), category: rule.GetProperty("categories")[0].GetString())).CreatedAsync();
        Assert.Equal(JsonValueKind.Null, theirs.GetProperty("groupId").ValueKind);
    }
}
