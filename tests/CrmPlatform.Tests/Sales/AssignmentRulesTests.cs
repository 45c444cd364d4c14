using System.Net;
using System.Text.Json;
using CrmPlatform.Contracts.Marketing.V1;
using CrmPlatform.Persistence.TeamDirectory;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Identity;
using CrmPlatform.Tests.Infrastructure;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmPlatform.Tests.Sales;

/// <summary>
/// Assignment rules through Sales' API on real PostgreSQL, with teams from Identity's events: matching by territory,
/// industry, product interest and source, rule order, round robin (fair also under concurrent creation), least-loaded,
/// the reason and history kept, on-demand assignment, permissions and record scopes, tenant isolation, validation.
/// Every test uses an industry of its own, so the rules of one never match the leads of another.
/// </summary>
public sealed class AssignmentRulesTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _sales = fixture.Platform.ClientFor(fixture.Platform.Sales);
    private PlatformServices Platform => fixture.Platform;

    private Task<string> TokenAsync(string subject, string role, Guid? tenant = null) =>
        Platform.Identity.SignedTokenAsync(subject, tenant ?? TenantContext.DefaultTenantId, role);

    private static string NewIndustry() => $"industry-{Guid.NewGuid():N}";

    /// <summary>A team of new users, known to Sales; returns its id and its members' ids in the order round robin takes them.</summary>
    private async Task<(Guid Team, List<string> Members)> TeamAsync(string name, int members)
    {
        var admin = Platform.ClientFor(Platform.Identity.Factory);
        var users = new List<string>();
        for (var i = 0; i < members; i++)
        {
            users.Add((await IdentityApi.NewUserAsync(admin, Roles.SalesRep)).Id.ToString());
        }
        var team = await admin.PostJsonAsync("/api/v1/teams", new { name, memberIds = users });
        Assert.Equal(HttpStatusCode.Created, team.Status);
        var id = team.Body.Id();
        await Eventually.TrueAsync(async () => await PlatformServices.QueryAsync(Platform.Sales,
            db => db.Set<DirectoryTeam>().AnyAsync(t => t.Id == id && t.MemberIds.Count == members)), "Sales knows the team");
        return (id, [.. users.Order(StringComparer.Ordinal)]);
    }

    private static object Rule(string name, int position, string[]? countries = null, string[]? postalCodePrefixes = null, string[]? industries = null,
        string[]? sources = null, string[]? productInterests = null, string[]? regions = null, Guid? teamId = null, string? userId = null,
        string? method = null) =>
        new { name, position, countries, regions, postalCodePrefixes, industries, productInterests, sources, targetTeamId = teamId, targetUserId = userId, method };

    private static object Lead(string industry, string? country = null, string? postalCode = null, string source = "api", string[]? productInterests = null,
        string? region = null) =>
        new { lastName = "Lead", email = $"{Guid.NewGuid():N}@leads.test", industry, country, postalCode, region, source, productInterests, company = "ACME" };

    private async Task<JsonElement> CreateLeadAsync(object lead, HttpClient? client = null) =>
        await (client ?? _sales).PostJsonAsync("/api/v1/leads", lead).CreatedAsync();

    private async Task<List<JsonElement>> HistoryAsync(Guid lead, HttpClient? client = null)
    {
        var answer = await (client ?? _sales).GetJsonAsync($"/api/v1/leads/{lead}/assignments");
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        return [.. answer.Body.EnumerateArray()];
    }

    [Fact]
    public async Task Territory_industry_product_and_source_pick_the_first_matching_rule_in_order_and_say_why()
    {
        var industry = NewIndustry();
        var (team, members) = await TeamAsync("Süd", 2);
        var munich = await _sales.PostJsonAsync("/api/v1/assignment-rules",
            Rule("Bayern", 20, countries: ["de"], postalCodePrefixes: ["80", "81"], industries: [industry], teamId: team)).CreatedAsync();
        var web = await _sales.PostJsonAsync("/api/v1/assignment-rules",
            Rule("Web forms", 30, industries: [industry], sources: ["web-form"], userId: "web-desk")).CreatedAsync();
        var product = await _sales.PostJsonAsync("/api/v1/assignment-rules",
            Rule("Analytics", 40, industries: [industry], productInterests: ["ANALYTICS"], regions: ["Tirol"], userId: "analytics-desk")).CreatedAsync();
        Assert.Equal(["DE"], munich.GetProperty("countries").EnumerateArray().Select(c => c.GetString()));

        var bavarian = await CreateLeadAsync(Lead(industry, "DE", "80 331"));
        Assert.Equal(members[0], bavarian.Str("ownerId"));
        var history = Assert.Single(await HistoryAsync(bavarian.Id()));
        Assert.Equal(munich.Id(), history.GetProperty("ruleId").GetGuid());
        Assert.Equal("creation", history.Str("trigger"));
        var reason = history.Str("reason");
        Assert.Contains("country=DE and postal code 80* and industry=", reason);
        Assert.Contains("→ team Süd, round robin", reason);
        // The lead itself says who assigned it and why, and lists find the leads a rule assigned.
        Assert.Equal((munich.Id(), reason), (bavarian.GetProperty("assignedByRuleId").GetGuid(), bavarian.Str("assignmentReason")));
        Assert.Equal([bavarian.Id()], (await _sales.GetJsonAsync($"/api/v1/leads?filter[assignedByRuleId]={munich.Id()}")).Items().Select(l => l.Id()));

        // Berlin is outside 80/81: the web-form rule is next; from the API the lead matches no rule and keeps its creator.
        var fromForm = await CreateLeadAsync(Lead(industry, "DE", "10115", source: "web-form"));
        Assert.Equal("web-desk", fromForm.Str("ownerId"));
        Assert.Equal(web.Id(), Assert.Single(await HistoryAsync(fromForm.Id())).GetProperty("ruleId").GetGuid());
        var unmatched = await CreateLeadAsync(Lead(industry, "DE", "10115"));
        Assert.Equal(unmatched.Str("createdBy"), unmatched.Str("ownerId"));
        Assert.Empty(await HistoryAsync(unmatched.Id()));

        // Product interest (any case) and region together.
        var tyrol = await CreateLeadAsync(Lead(industry, "AT", "6020", productInterests: ["crm", "analytics"], region: "tirol"));
        Assert.Equal("analytics-desk", tyrol.Str("ownerId"));
        Assert.Contains("region=Tirol and industry=" + industry + " and product interest ANALYTICS", Assert.Single(await HistoryAsync(tyrol.Id())).Str("reason"));
        Assert.Equal(product.Id(), Assert.Single(await HistoryAsync(tyrol.Id())).GetProperty("ruleId").GetGuid());

        // A rule placed before the others wins; an inactive one is skipped.
        var first = await _sales.PostJsonAsync("/api/v1/assignment-rules", Rule("Germany first", 10, countries: ["DE"], industries: [industry], userId: "de-desk")).CreatedAsync();
        Assert.Equal("de-desk", (await CreateLeadAsync(Lead(industry, "DE", "80999"))).Str("ownerId"));
        var inactive = await _sales.PutJsonAsync($"/api/v1/assignment-rules/{first.Id()}",
            new { name = "Germany first", position = 10, isActive = false, countries = new[] { "DE" }, industries = new[] { industry }, targetUserId = "de-desk" }, first.ETag());
        Assert.Equal(HttpStatusCode.OK, inactive.Status);
        Assert.Equal(members[1], (await CreateLeadAsync(Lead(industry, "DE", "81000"))).Str("ownerId"));

        // On demand: no rule matches (422, nothing changes); then one does, and the history says who had it before.
        var unmatchedUrl = $"/api/v1/leads/{unmatched.Id()}/assign";
        (await _sales.PostJsonAsync(unmatchedUrl, new { })).AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(unmatched.Str("ownerId"), (await _sales.GetJsonAsync($"/api/v1/leads/{unmatched.Id()}")).Body.Str("ownerId"));
        await _sales.PostJsonAsync("/api/v1/assignment-rules", Rule("Berlin", 50, postalCodePrefixes: ["10"], industries: [industry], userId: "berlin-desk")).CreatedAsync();
        var assigned = await _sales.PostJsonAsync(unmatchedUrl, new { });
        Assert.Equal(HttpStatusCode.OK, assigned.Status);
        Assert.Equal(("berlin-desk", unmatched.Str("ownerId"), "on-demand"),
            (assigned.Body.Str("ownerId"), assigned.Body.Str("previousOwnerId"), assigned.Body.Str("trigger")));
        var lead = (await _sales.GetJsonAsync($"/api/v1/leads/{unmatched.Id()}")).Body;
        Assert.Equal("berlin-desk", lead.Str("ownerId"));
        Assert.Equal(unmatched.GetProperty("version").GetInt32() + 1, lead.GetProperty("version").GetInt32());
        var stored = await PlatformServices.QueryAsync(Platform.Sales, db => db.Leads.AsNoTracking().SingleAsync(l => l.Id == unmatched.Id()));
        Assert.Equal(assigned.Body.GetProperty("ruleId").GetGuid(), stored.AssignedByRuleId);
        Assert.Equal(assigned.Body.Str("reason"), stored.AssignmentReason);
    }

    [Fact]
    public async Task Leads_from_web_forms_pass_through_the_same_rules()
    {
        var product = $"product-{Guid.NewGuid():N}";
        var rule = await _sales.PostJsonAsync("/api/v1/assignment-rules",
            Rule("Demo requests", 0, sources: ["web-form"], productInterests: [product], userId: "demo-desk")).CreatedAsync();
        var submission = Guid.NewGuid();
        var submitted = new FormSubmitted(Guid.NewGuid(), DateTime.UtcNow, TenantContext.DefaultTenantId, submission, 1, Guid.NewGuid(), null,
            new FormSubmission("Ada", "Lovelace", $"{Guid.NewGuid():N}@leads.test", null, "ACME", "DE", "CTO", product, "Call me", true), CreateLead: true);
        await Platform.Marketing.Services.GetRequiredService<IBus>().Publish(submitted, context => context.MessageId = submitted.EventId);

        var lead = await Eventually.ReturnsAsync(async () => (await _sales.GetJsonAsync($"/api/v1/leads?filter[sourceReference]={submission}")).Items(),
            leads => leads.Count == 1, "the form's lead is captured");
        Assert.Equal("demo-desk", lead[0].Str("ownerId"));
        var history = Assert.Single(await HistoryAsync(lead[0].Id()));
        Assert.Equal(rule.Id(), history.GetProperty("ruleId").GetGuid());
        Assert.Contains($"product interest {product} and source=web-form", history.Str("reason"));
    }

    [Fact]
    public async Task Round_robin_gives_each_member_an_equal_share_also_when_leads_are_created_concurrently()
    {
        var industry = NewIndustry();
        var (team, members) = await TeamAsync("Round", 3);
        var rule = await _sales.PostJsonAsync("/api/v1/assignment-rules", Rule("Round", 1, industries: [industry], teamId: team, method: "round-robin")).CreatedAsync();

        var sequential = new List<JsonElement>();
        for (var i = 0; i < 3; i++)
        {
            sequential.Add(await CreateLeadAsync(Lead(industry)));
        }
        Assert.Equal(members, sequential.Select(l => l.Str("ownerId")));
        Assert.Contains($"round robin: {members[1]}, next after {members[0]}", Assert.Single(await HistoryAsync(sequential[1].Id())).Str("reason"));

        // 30 leads, 10 at a time: every member gets 10 more, whatever order the requests commit in.
        var concurrent = new List<JsonElement>();
        for (var batch = 0; batch < 3; batch++)
        {
            concurrent.AddRange(await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => CreateLeadAsync(Lead(industry)))));
        }
        var shares = concurrent.GroupBy(l => l.Str("ownerId")).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(members.ToDictionary(m => m, _ => 10), shares);
        var turns = (await _sales.GetJsonAsync($"/api/v1/assignment-rules/{rule.Id()}")).Body.GetProperty("roundRobinTurns").GetInt64();
        Assert.Equal(33, turns);
        // The cursor is bookkeeping: it does not change the rule's version (a manager's If-Match still holds).
        Assert.Equal(1, (await _sales.GetJsonAsync($"/api/v1/assignment-rules/{rule.Id()}")).Body.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Least_loaded_picks_the_member_with_the_fewest_open_leads_and_opportunities()
    {
        var industry = NewIndustry();
        var (team, members) = await TeamAsync("Load", 2);
        // The first member already works two leads (created as them, matching no rule).
        var busy = Platform.ClientFor(Platform.Sales, await TokenAsync(members[0], Roles.SalesRep));
        await CreateLeadAsync(Lead($"{industry}-other"), busy);
        await CreateLeadAsync(Lead($"{industry}-other"), busy);
        await _sales.PostJsonAsync("/api/v1/assignment-rules", Rule("Load", 1, industries: [industry], teamId: team, method: "least-loaded")).CreatedAsync();

        var first = await CreateLeadAsync(Lead(industry));
        Assert.Equal(members[1], first.Str("ownerId"));
        Assert.Contains($"least loaded: {members[1]} with 0 open leads and opportunities", Assert.Single(await HistoryAsync(first.Id())).Str("reason"));
        Assert.Equal(members[1], (await CreateLeadAsync(Lead(industry))).Str("ownerId"));
        // Two each: the tie goes to the lowest user id.
        Assert.Equal(members[0], (await CreateLeadAsync(Lead(industry))).Str("ownerId"));

        // A disqualified lead is no longer load.
        var done = await CreateLeadAsync(Lead(industry));
        Assert.Equal(members[1], done.Str("ownerId"));
        var disqualified = await _sales.PutJsonAsync($"/api/v1/leads/{done.Id()}/status", new { status = "disqualified", disqualificationReason = "No budget" }, done.ETag());
        Assert.Equal(HttpStatusCode.OK, disqualified.Status);
        Assert.Equal(members[1], (await CreateLeadAsync(Lead(industry))).Str("ownerId"));
    }

    [Fact]
    public async Task Least_loaded_spreads_concurrent_creations_and_an_imported_file_evenly()
    {
        var industry = NewIndustry();
        var (team, members) = await TeamAsync("Even", 2);
        await _sales.PostJsonAsync("/api/v1/assignment-rules", Rule("Even", 1, industries: [industry], teamId: team, method: "least-loaded")).CreatedAsync();

        // Six at once: each choice counts the leads chosen before it, so the two members end with three each.
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => CreateLeadAsync(Lead(industry))));
        Assert.Equal([3, 3], members.Select(m => concurrent.Count(l => l.Str("ownerId") == m)));

        // A file's rows are chosen for in one unit of work: each counts the rows before it.
        var marker = Guid.NewGuid().ToString("N")[..10];
        var csv = "Last Name,E-Mail,Company,Industry\n" + string.Join("\n", Enumerable.Range(0, 4).Select(i => $"Row{i},row{i}.{marker}@leads.test,ACME,{industry}"));
        using var content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(csv));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
        var upload = await _sales.PostAsync("/api/v1/lead-imports?fileName=even.csv", content);
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var job = JsonDocument.Parse(await upload.Content.ReadAsStringAsync()).RootElement;
        var mapping = new Dictionary<string, string> { ["Last Name"] = "lastName", ["E-Mail"] = "email", ["Company"] = "company", ["Industry"] = "industry" };
        Assert.Equal(HttpStatusCode.OK, (await _sales.PutJsonAsync($"/api/v1/lead-imports/{job.Id()}/mapping", new { mapping }, job.ETag())).Status);
        var run = await _sales.SendJsonAsync(HttpMethod.Post, $"/api/v1/lead-imports/{job.Id()}/run");
        Assert.Equal(4, run.Body.GetProperty("created").GetInt32());
        var owners = await PlatformServices.QueryAsync(Platform.Sales,
            db => db.Leads.Where(l => l.Email != null && l.Email.Contains(marker)).Select(l => l.OwnerId).ToListAsync());
        Assert.Equal([2, 2], members.Select(m => owners.Count(o => o == m)));
    }

    [Fact]
    public async Task Managers_set_rules_reps_assign_only_leads_in_their_scope()
    {
        var industry = NewIndustry();
        var rep = Platform.ClientFor(Platform.Sales, await TokenAsync($"rep-{Guid.NewGuid():N}", Roles.SalesRep));
        var manager = Platform.ClientFor(Platform.Sales, await TokenAsync($"manager-{Guid.NewGuid():N}", Roles.SalesManager));
        (await rep.PostJsonAsync("/api/v1/assignment-rules", Rule("Rep's", 1, industries: [industry], userId: "x"))).AssertProblem(HttpStatusCode.Forbidden);
        (await rep.GetJsonAsync("/api/v1/assignment-rules")).AssertProblem(HttpStatusCode.Forbidden);
        var rule = await manager.PostJsonAsync("/api/v1/assignment-rules", Rule("Manager's", 1, industries: [industry], userId: "desk")).CreatedAsync();
        Assert.Contains((await manager.GetJsonAsync("/api/v1/assignment-rules?sort=position&limit=200")).Items(), r => r.Id() == rule.Id());

        // The rep's own lead (no rule matches it) can be assigned by the rules; someone else's is 404.
        var own = await CreateLeadAsync(Lead($"{industry}-none"), rep);
        var others = await CreateLeadAsync(Lead($"{industry}-none"));
        (await rep.PostJsonAsync($"/api/v1/leads/{others.Id()}/assign", new { })).AssertProblem(HttpStatusCode.NotFound);
        (await rep.GetJsonAsync($"/api/v1/leads/{others.Id()}/assignments")).AssertProblem(HttpStatusCode.NotFound);
        Assert.Empty(await HistoryAsync(own.Id(), rep));
        (await rep.PostJsonAsync($"/api/v1/leads/{own.Id()}/assign", new { })).AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(HttpStatusCode.NoContent, (await manager.DeleteJsonAsync($"/api/v1/assignment-rules/{rule.Id()}", rule.ETag())).Status);
    }

    [Fact]
    public async Task A_tenants_rules_neither_show_nor_apply_in_another_tenant()
    {
        var industry = NewIndustry();
        var otherTenant = Guid.NewGuid();
        var other = Platform.ClientFor(Platform.Sales, await TokenAsync($"admin-{Guid.NewGuid():N}", Roles.Admin, otherTenant));
        var ours = await _sales.PostJsonAsync("/api/v1/assignment-rules", Rule("Ours", 0, industries: [industry], userId: "our-desk")).CreatedAsync();
        (await other.GetJsonAsync($"/api/v1/assignment-rules/{ours.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        (await other.PutJsonAsync($"/api/v1/assignment-rules/{ours.Id()}", Rule("Taken", 0, industries: [industry], userId: "x"), Api.AnyVersion))
            .AssertProblem(HttpStatusCode.NotFound);
        Assert.DoesNotContain((await other.GetJsonAsync("/api/v1/assignment-rules?limit=200")).Items(), r => r.Id() == ours.Id());

        var theirs = await other.PostJsonAsync("/api/v1/assignment-rules", Rule("Theirs", 5, industries: [industry], userId: "their-desk")).CreatedAsync();
        Assert.Equal("their-desk", (await CreateLeadAsync(Lead(industry), other)).Str("ownerId"));
        Assert.Equal("our-desk", (await CreateLeadAsync(Lead(industry))).Str("ownerId"));
        (await _sales.GetJsonAsync($"/api/v1/assignment-rules/{theirs.Id()}")).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Malformed_rules_are_400_unknown_teams_422_stale_versions_412()
    {
        var industry = NewIndustry();
        async Task<JsonElement> Invalid(object rule)
        {
            var answer = await _sales.PostJsonAsync("/api/v1/assignment-rules", rule);
            answer.AssertProblem(HttpStatusCode.BadRequest);
            return answer.Body.GetProperty("errors");
        }
        Assert.True((await Invalid(Rule("", 0, userId: "x"))).TryGetProperty("name", out _));
        Assert.True((await Invalid(Rule("Both", 0, teamId: Guid.NewGuid(), userId: "x"))).TryGetProperty("targetTeamId", out _));
        Assert.True((await Invalid(Rule("Neither", 0))).TryGetProperty("targetTeamId", out _));
        Assert.True((await Invalid(Rule("Method", 0, teamId: Guid.NewGuid(), method: "random"))).TryGetProperty("method", out _));
        Assert.True((await Invalid(Rule("Country", 0, countries: ["Germany"], userId: "x"))).TryGetProperty("countries[0]", out _));
        Assert.True((await Invalid(Rule("Source", 0, sources: ["fax"], userId: "x"))).TryGetProperty("sources[0]", out _));
        Assert.True((await Invalid(Rule("Postal", 0, postalCodePrefixes: [" "], userId: "x"))).TryGetProperty("postalCodePrefixes[0]", out _));
        Assert.True((await Invalid(Rule("Position", -1, userId: "x"))).TryGetProperty("position", out _));
        (await _sales.GetJsonAsync("/api/v1/assignment-rules?sort=colour")).AssertProblem(HttpStatusCode.BadRequest);

        var unknownTeam = await _sales.PostJsonAsync("/api/v1/assignment-rules", Rule("Ghost team", 0, industries: [industry], teamId: Guid.NewGuid()));
        unknownTeam.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Empty(await PlatformServices.QueryAsync(Platform.Sales, db => db.AssignmentRules.Where(r => r.Name == "Ghost team").ToListAsync()));

        var rule = await _sales.PostJsonAsync("/api/v1/assignment-rules", Rule("Versioned", 0, industries: [industry], userId: "x")).CreatedAsync();
        Assert.Equal(HttpStatusCode.OK, (await _sales.PutJsonAsync($"/api/v1/assignment-rules/{rule.Id()}", Rule("Versioned 2", 0, industries: [industry], userId: "y"), rule.ETag())).Status);
        (await _sales.PutJsonAsync($"/api/v1/assignment-rules/{rule.Id()}", Rule("Stale", 0, industries: [industry], userId: "z"), rule.ETag()))
            .AssertProblem(HttpStatusCode.PreconditionFailed);
        (await _sales.DeleteJsonAsync($"/api/v1/assignment-rules/{rule.Id()}", rule.ETag())).AssertProblem(HttpStatusCode.PreconditionFailed);
        (await _sales.PostJsonAsync($"/api/v1/leads/{Guid.NewGuid()}/assign", new { })).AssertProblem(HttpStatusCode.NotFound);
        // Deleting the rule leaves its rows; nothing else in the tenant is touched by the failed attempts.
        Assert.Equal("Versioned 2", (await _sales.GetJsonAsync($"/api/v1/assignment-rules/{rule.Id()}")).Body.Str("name"));
    }
}
