using System.Net;
using System.Text.Json;
using CrmPlatform.Contracts.Sales.V1;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Gdpr;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static CrmPlatform.Tests.Sales.PipelineTestData;

namespace CrmPlatform.Tests.Sales;

/// <summary>
/// Decisions on opportunities through Sales' API on real PostgreSQL: the buying centre checked against the contact
/// directory, criteria, objections and risks, the customer's next commitment with its history, the decision recorded by
/// the won or lost move and completed afterwards (with its event), the reports, record scopes and tenants.
/// </summary>
[Collection(PipelinesCollection.Name)]
public sealed class DecisionsApiTests(PlatformFixture fixture)
{
    private PlatformServices Platform => fixture.Platform;
    private readonly HttpClient _sales = fixture.Platform.ClientFor(fixture.Platform.Sales);
    private readonly HttpClient _contacts = fixture.Platform.ClientFor(fixture.Platform.Contacts);

    private Task<string> TokenAsync(string subject, string role, Guid? tenant = null) =>
        Platform.Identity.SignedTokenAsync(subject, tenant ?? TenantContext.DefaultTenantId, role);

    private async Task<(JsonElement Pipeline, Guid Customer, JsonElement Opportunity)> DealAsync(HttpClient? sales = null)
    {
        var pipeline = await CreatePipelineAsync(_sales);
        var customer = await CustomerAsync(Platform, _contacts);
        var opportunity = await (sales ?? _sales).PostJsonAsync("/api/v1/opportunities", Opportunity(customer, pipeline.Id(), "lead")).CreatedAsync();
        return (pipeline, customer, opportunity);
    }

    private static string Url(JsonElement opportunity, string path) => $"/api/v1/opportunities/{opportunity.Id()}/{path}";

    [Fact]
    public async Task The_buying_centre_names_people_of_the_contact_directory_with_their_role_influence_and_attitude()
    {
        var (_, customer, opportunity) = await DealAsync();
        var champion = await _sales.PostJsonAsync(Url(opportunity, "buying-centre"),
            new { contactId = customer, role = "champion", influence = "high", attitude = "supporter", notes = "Pushes internally" }).CreatedAsync();
        Assert.Equal(("champion", "high", "supporter"), (champion.Str("role"), champion.Str("influence"), champion.Str("attitude")));
        Assert.False(string.IsNullOrEmpty(champion.Str("displayName")));

        var invalid = await _sales.PostJsonAsync(Url(opportunity, "buying-centre"), new { contactId = customer, role = "boss", influence = "huge" });
        invalid.AssertProblem(HttpStatusCode.BadRequest);
        Assert.Equal(["influence", "role"], invalid.ErrorFields().Order());
        (await _sales.PostJsonAsync(Url(opportunity, "buying-centre"), new { contactId = Guid.NewGuid(), role = "user" }))
            .AssertProblem(HttpStatusCode.UnprocessableEntity);
        // One person plays one part: a second entry is a conflict, not a duplicate.
        (await _sales.PostJsonAsync(Url(opportunity, "buying-centre"), new { contactId = customer, role = "blocker" })).AssertProblem(HttpStatusCode.Conflict);

        var memberUrl = $"{Url(opportunity, "buying-centre")}/{champion.Id()}";
        var turned = await _sales.PutJsonAsync(memberUrl, new { contactId = customer, role = "blocker", influence = "high", attitude = "opponent" }, champion.ETag()).OkAsync();
        Assert.Equal("blocker", turned.Str("role"));
        (await _sales.PutJsonAsync(memberUrl, new { contactId = customer, role = "user" }, champion.ETag())).AssertProblem(HttpStatusCode.PreconditionFailed);

        var blockers = (await _sales.GetJsonAsync($"/api/v1/decisions/buying-centre?filter[role]=blocker&filter[opportunityId]={opportunity.Id()}")).Items();
        Assert.Equal([champion.Id()], blockers.Select(m => m.Id()));
        var decisions = await _sales.GetJsonAsync(Url(opportunity, "decisions")).OkAsync();
        Assert.Equal("opponent", Assert.Single(decisions.GetProperty("buyingCentre").EnumerateArray()).Str("attitude"));

        Assert.Equal(HttpStatusCode.NoContent, (await _sales.DeleteJsonAsync(memberUrl, turned.ETag())).Status);
        Assert.Empty((await _sales.GetJsonAsync(Url(opportunity, "decisions")).OkAsync()).GetProperty("buyingCentre").EnumerateArray());
    }

    [Fact]
    public async Task Criteria_and_objections_are_kept_with_their_status_and_open_objections_are_reported_across_opportunities()
    {
        var (_, customer, opportunity) = await DealAsync();
        var (_, _, other) = await DealAsync();
        var criterion = await _sales.PostJsonAsync(Url(opportunity, "criteria"), new { name = "SSO with Entra ID", importance = "must-have", standing = "ahead" }).CreatedAsync();
        Assert.Equal(("must-have", "ahead"), (criterion.Str("importance"), criterion.Str("standing")));
        (await _sales.PostJsonAsync(Url(opportunity, "criteria"), new { name = "", standing = "miles ahead" })).AssertProblem(HttpStatusCode.BadRequest);

        var price = await _sales.PostJsonAsync(Url(opportunity, "risks"), new { kind = "objection", description = "Too expensive", raisedByContactId = customer }).CreatedAsync();
        Assert.Equal("open", price.Str("status"));
        var risk = await _sales.PostJsonAsync(Url(other, "risks"), new { kind = "risk", description = "Budget freeze in Q3" }).CreatedAsync();
        var otherObjection = await _sales.PostJsonAsync(Url(other, "risks"), new { kind = "objection", description = "No SAML" }).CreatedAsync();

        async Task<List<Guid>> OpenObjectionsAsync() => [.. (await _sales.GetJsonAsync("/api/v1/decisions/risks?filter[status]=open&filter[kind]=objection&limit=200"))
            .Items().Select(r => r.Id()).Where(id => id == price.Id() || id == otherObjection.Id() || id == risk.Id())];
        Assert.Equal([price.Id(), otherObjection.Id()], (await OpenObjectionsAsync()).Order());

        // Addressing it without saying how is refused; with it, it leaves the open list.
        var riskUrl = $"{Url(opportunity, "risks")}/{price.Id()}";
        var unexplained = await _sales.PutJsonAsync(riskUrl, new { kind = "objection", description = "Too expensive", status = "addressed" }, price.ETag());
        unexplained.AssertProblem(HttpStatusCode.BadRequest);
        Assert.Equal(["resolution"], unexplained.ErrorFields());
        await _sales.PutJsonAsync(riskUrl, new { kind = "objection", description = "Too expensive", status = "addressed", resolution = "Three-year term at 12 % off" }, price.ETag()).OkAsync();
        Assert.Equal([otherObjection.Id()], await OpenObjectionsAsync());
        // A risk of another opportunity cannot be reached through this one.
        (await _sales.PutJsonAsync($"{Url(opportunity, "risks")}/{risk.Id()}", new { kind = "risk", description = "x" }, risk.ETag())).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_next_customer_commitment_is_one_current_with_its_history_kept()
    {
        var (_, customer, opportunity) = await DealAsync();
        (await _sales.PostJsonAsync(Url(opportunity, "commitments"), new { description = "" })).AssertProblem(HttpStatusCode.BadRequest);
        var first = await _sales.PostJsonAsync(Url(opportunity, "commitments"), new { description = "Send the security questionnaire", dueBy = "2027-01-15", contactId = customer }).CreatedAsync();
        Assert.Equal("current", first.Str("status"));
        var second = await _sales.PostJsonAsync(Url(opportunity, "commitments"), new { description = "Book the CFO meeting", dueBy = "2027-01-22" }).CreatedAsync();

        var decisions = await _sales.GetJsonAsync(Url(opportunity, "decisions")).OkAsync();
        Assert.Equal(second.Id(), decisions.GetProperty("nextCommitment").Id());
        Assert.Equal([(second.Id(), "current"), (first.Id(), "superseded")],
            decisions.GetProperty("commitments").EnumerateArray().Select(c => (c.Id(), c.Str("status"))));

        (await _sales.PutJsonAsync($"{Url(opportunity, "commitments")}/{second.Id()}", new { status = "superseded" }, second.ETag())).AssertProblem(HttpStatusCode.BadRequest);
        var kept = await _sales.PutJsonAsync($"{Url(opportunity, "commitments")}/{second.Id()}", new { status = "kept" }, second.ETag()).OkAsync();
        Assert.Equal("kept", kept.Str("status"));
        Assert.NotEqual(JsonValueKind.Null, kept.GetProperty("resolvedAt").ValueKind);
        // History is not rewritten; and now the customer owes nothing: no current commitment.
        (await _sales.PutJsonAsync($"{Url(opportunity, "commitments")}/{first.Id()}", new { status = "kept" }, Api.AnyVersion)).AssertProblem(HttpStatusCode.Conflict);
        Assert.Equal(JsonValueKind.Null, (await _sales.GetJsonAsync(Url(opportunity, "decisions")).OkAsync()).GetProperty("nextCommitment").ValueKind);
        Assert.Contains((await _sales.GetJsonAsync($"/api/v1/decisions/commitments?filter[opportunityId]={opportunity.Id()}&filter[status]=kept")).Items(),
            c => c.Id() == second.Id());
    }

    [Fact]
    public async Task Losing_records_the_decision_from_the_move_which_is_completed_announced_and_reported_by_alternative()
    {
        var (_, customer, opportunity) = await DealAsync();
        (await _sales.GetJsonAsync(Url(opportunity, "decision"))).AssertProblem(HttpStatusCode.Conflict);
        (await _sales.PutJsonAsync(Url(opportunity, "decision"), new { reason = "x" }, "*")).AssertProblem(HttpStatusCode.Conflict);

        var competitor = $"Rival {Guid.NewGuid():N}";
        var lost = await _sales.MoveAsync(opportunity, "lost", lostReason: "Cheaper offer", competitor: competitor).OkAsync();
        var recorded = await _sales.GetJsonAsync(Url(lost, "decision")).OkAsync();
        Assert.Equal(("lost", "Cheaper offer", competitor), (recorded.Str("outcome"), recorded.Str("reason"), recorded.Str("alternativeChosen")));
        Assert.False(recorded.GetProperty("isComplete").GetBoolean());
        Assert.Contains((await _sales.GetJsonAsync($"/api/v1/decisions/outcomes?filter[complete]=false&filter[alternativeChosen]={competitor}")).Items(),
            d => d.GetProperty("opportunityId").GetGuid() == opportunity.Id());

        (await _sales.PutJsonAsync(Url(lost, "decision"), new { decidedByContactIds = new[] { Guid.NewGuid() } }, recorded.ETag()))
            .AssertProblem(HttpStatusCode.UnprocessableEntity);
        var completed = await _sales.PutJsonAsync(Url(lost, "decision"),
            new { decidedByContactIds = new[] { customer }, reason = "Cheaper offer and an existing contract", alternativeChosen = competitor }, recorded.ETag()).OkAsync();
        Assert.True(completed.GetProperty("isComplete").GetBoolean());

        var byAlternative = (await _sales.GetJsonAsync("/api/v1/decisions/outcomes/by-alternative?outcome=lost").OkAsync()).EnumerateArray()
            .Single(s => s.GetProperty("alternativeChosen").GetString() == competitor);
        Assert.Equal((1, 0), (byAlternative.GetProperty("count").GetInt32(), byAlternative.GetProperty("incomplete").GetInt32()));
        Assert.Equal(1000m, Assert.Single(byAlternative.GetProperty("totals").EnumerateArray()).GetProperty("amount").GetDecimal());

        var events = await Eventually.ReturnsAsync(() => PlatformServices.QueryAsync(Platform.Sales, async db => (await db.OutboxMessages.AsNoTracking()
                .Where(m => m.EventType == typeof(DealDecisionRecorded).FullName).ToListAsync())
                .Select(m => (DealDecisionRecorded)m.ToEvent()).Where(e => e.OpportunityId == opportunity.Id()).ToList()),
            rows => rows.Count > 0, "DealDecisionRecorded is queued");
        var announced = Assert.Single(events);
        Assert.Equal((TenantContext.DefaultTenantId, "lost", competitor, true), (announced.TenantId, announced.Outcome, announced.AlternativeChosen, announced.IsComplete));
        Assert.Equal([customer], announced.DecidedByContactIds);

        // Reopened, the deal is undecided again; won later, the decision is a win without the loss's alternative.
        var reopened = await _sales.MoveAsync(lost, "lead").OkAsync();
        (await _sales.GetJsonAsync(Url(reopened, "decision"))).AssertProblem(HttpStatusCode.Conflict);
        var won = await _sales.MoveAsync(reopened, "won").OkAsync();
        var winning = await _sales.GetJsonAsync(Url(won, "decision")).OkAsync();
        Assert.Equal("won", winning.Str("outcome"));
        Assert.Equal(JsonValueKind.Null, winning.GetProperty("alternativeChosen").ValueKind);
    }

    [Fact]
    public async Task Decisions_follow_the_opportunitys_record_scope_and_tenant()
    {
        var rep = Guid.NewGuid().ToString();
        var repSales = Platform.ClientFor(Platform.Sales, await TokenAsync(rep, Roles.SalesRep));
        var (_, customer, opportunity) = await DealAsync(repSales);
        var objection = await repSales.PostJsonAsync(Url(opportunity, "risks"), new { kind = "objection", description = "Not now" }).CreatedAsync();
        await repSales.PostJsonAsync(Url(opportunity, "buying-centre"), new { contactId = customer, role = "economic-buyer" }).CreatedAsync();

        var outsider = Platform.ClientFor(Platform.Sales, await TokenAsync(Guid.NewGuid().ToString(), Roles.SalesRep));
        (await outsider.GetJsonAsync(Url(opportunity, "decisions"))).AssertProblem(HttpStatusCode.NotFound);
        (await outsider.PostJsonAsync(Url(opportunity, "risks"), new { kind = "risk", description = "x" })).AssertProblem(HttpStatusCode.NotFound);
        (await outsider.DeleteJsonAsync($"{Url(opportunity, "risks")}/{objection.Id()}", "*")).AssertProblem(HttpStatusCode.NotFound);
        Assert.DoesNotContain((await outsider.GetJsonAsync($"/api/v1/decisions/risks?filter[opportunityId]={opportunity.Id()}")).Items(), r => r.Id() == objection.Id());
        Assert.Empty((await outsider.GetJsonAsync($"/api/v1/decisions/buying-centre?filter[opportunityId]={opportunity.Id()}")).Items());

        var reader = Platform.ClientFor(Platform.Sales, await TokenAsync(Guid.NewGuid().ToString(), Roles.ReadOnly));
        Assert.Single((await reader.GetJsonAsync(Url(opportunity, "decisions")).OkAsync()).GetProperty("risks").EnumerateArray());
        (await reader.PostJsonAsync(Url(opportunity, "risks"), new { kind = "risk", description = "x" })).AssertProblem(HttpStatusCode.Forbidden);

        var otherTenant = Platform.ClientFor(Platform.Sales, await TokenAsync(Guid.NewGuid().ToString(), Roles.Admin, Guid.NewGuid()));
        (await otherTenant.GetJsonAsync(Url(opportunity, "decisions"))).AssertProblem(HttpStatusCode.NotFound);
        Assert.Empty((await otherTenant.GetJsonAsync("/api/v1/decisions/risks")).Items());
        Assert.Empty((await otherTenant.GetJsonAsync("/api/v1/decisions/outcomes")).Items());
        Assert.Empty((await otherTenant.GetJsonAsync("/api/v1/decisions/outcomes/by-alternative").OkAsync()).EnumerateArray());
    }

    [Fact]
    public async Task An_access_request_exports_the_persons_part_in_decisions_and_an_erasure_takes_them_out()
    {
        var steps = new GdprSteps(Platform);
        var person = await steps.PersonEverywhereAsync("Katherine", "Johnson");
        var (_, _, opportunity) = await DealAsync();
        await _sales.PostJsonAsync(Url(opportunity, "buying-centre"), new { contactId = person, role = "blocker", attitude = "opponent", notes = "Katherine distrusts vendors" }).CreatedAsync();
        await _sales.PostJsonAsync(Url(opportunity, "commitments"), new { description = "Katherine signs the NDA", dueBy = "2027-02-01", contactId = person }).CreatedAsync();

        var access = await steps.CompletedRequestAsync(person, "access");
        var export = await steps.Contacts.GetJsonAsync($"{GdprSteps.RequestsUrl}/{access.Id()}/export");
        var data = export.Body.GetProperty("services").GetProperty("sales").GetProperty("data").GetProperty("decisions");
        Assert.Equal("Katherine distrusts vendors", Assert.Single(data.GetProperty("buyingCentre").EnumerateArray().ToList()).Str("notes"));
        Assert.Single(data.GetProperty("commitments").EnumerateArray());

        var erasure = await steps.CompletedRequestAsync(person, "erasure");
        Assert.Equal(2, erasure.GetProperty("services")[1].GetProperty("erased").GetProperty("decisions").GetInt32());
        var kept = await _sales.GetJsonAsync(Url(opportunity, "decisions")).OkAsync();
        Assert.Empty(kept.GetProperty("buyingCentre").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, kept.GetProperty("nextCommitment").GetProperty("contactId").ValueKind);
    }
}
