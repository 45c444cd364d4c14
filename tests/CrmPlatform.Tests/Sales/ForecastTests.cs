using System.Net;
using System.Text.Json;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using static CrmPlatform.Tests.Sales.PipelineTestData;

namespace CrmPlatform.Tests.Sales;

/// <summary>
/// The forecast roll-up on real PostgreSQL: weighted pipeline by quarter and month, per owner and team, categories
/// from the stage with overrides, quotas and attainment, currencies kept apart, the rep's and manager's scopes, tenants.
/// </summary>
[Collection(PipelinesCollection.Name)]
public sealed class ForecastTests(PlatformFixture fixture)
{
    private PlatformServices Platform => fixture.Platform;
    private readonly HttpClient _sales = fixture.Platform.ClientFor(fixture.Platform.Sales);
    private readonly HttpClient _contacts = fixture.Platform.ClientFor(fixture.Platform.Contacts);

    private static readonly object ForecastPipeline = Pipeline(null, false,
        Stage("lead", 10), Stage("proposal", 50), Stage("negotiation", 80), Stage("won", 100, "won"), Stage("lost", 0, "lost"));

    /// <summary>The quarter the test runs in (won deals close now), and the two after it.</summary>
    private static readonly DateOnly ThisQuarter = new(DateTime.UtcNow.Year, (DateTime.UtcNow.Month - 1) / 3 * 3 + 1, 1);
    private static string Q(int offset) => ThisQuarter.AddMonths(3 * offset).ToString("yyyy-MM-dd");
    private static string InQ(int offset, int day = 10) => ThisQuarter.AddMonths(3 * offset + 1).AddDays(day - 1).ToString("yyyy-MM-dd");
    private static string Window => $"from={Q(0)}&to={Q(2)}";

    [Fact]
    public async Task The_roll_up_weighs_open_deals_by_quarter_and_category_and_sets_closed_won_against_quota_per_owner_and_team()
    {
        var team = await SalesTeam.CreateAsync(Platform);
        var pipeline = await CreatePipelineAsync(_sales, ForecastPipeline);
        var customer = await CustomerAsync(Platform, _contacts);
        async Task<JsonElement> DealAsync(HttpClient sales, string stage, decimal amount, string closeDate, string currency = "EUR") =>
            await sales.PostJsonAsync("/api/v1/opportunities", Opportunity(customer, pipeline.Id(), stage, amount, currency, closeDate)).CreatedAsync();

        await DealAsync(team.RepSales, "lead", 1000m, InQ(1));                   // pipeline, 100.00 weighted
        await DealAsync(team.RepSales, "negotiation", 2000m, InQ(1, 20));        // commit, 1600.00
        await DealAsync(team.RepSales, "proposal", 500m, InQ(1), "USD");         // best case, 250.00 (USD apart)
        var sure = await DealAsync(team.RepSales, "lead", 700m, InQ(1, 5));      // lead, but the rep commits to it
        await DealAsync(team.RepSales, "lead", 300m, InQ(2));
        await DealAsync(team.RepSales, "proposal", 400m, InQ(0, 20));            // open this quarter: the roll-up's first half of periods
        var closing = await DealAsync(team.RepSales, "negotiation", 1500m, InQ(0));
        await team.RepSales.MoveAsync(closing, "won").OkAsync();                  // closed won this quarter
        await DealAsync(team.TeammateSales, "proposal", 100.01m, InQ(1));        // 50.005 → 50.01
        await DealAsync(team.OutsiderSales, "negotiation", 9999m, InQ(1));

        var category = await team.RepSales.PutJsonAsync($"/api/v1/opportunities/{sure.Id()}/forecast-category", new { category = "commit" }, null).OkAsync();
        Assert.Equal(("commit", "pipeline", true), (category.Str("category"), category.Str("defaultCategory"), category.GetProperty("overridden").GetBoolean()));
        (await team.RepSales.PutJsonAsync($"/api/v1/opportunities/{sure.Id()}/forecast-category", new { category = "maybe" }, null)).AssertProblem(HttpStatusCode.BadRequest);

        // The manager sets the rep's quota; a rep cannot, nor can a manager set one for someone outside their teams.
        var quota = new { subjectKind = "user", subjectId = team.Rep, period = "quarter", periodStart = Q(0), currency = "EUR", amount = 3000m };
        (await team.RepSales.PostJsonAsync("/api/v1/quotas", quota)).AssertProblem(HttpStatusCode.Forbidden);
        await team.ManagerSales.PostJsonAsync("/api/v1/quotas", quota).CreatedAsync();
        (await team.ManagerSales.PostJsonAsync("/api/v1/quotas", quota)).AssertProblem(HttpStatusCode.Conflict);
        (await team.ManagerSales.PostJsonAsync("/api/v1/quotas", quota with { subjectId = Guid.NewGuid().ToString() })).AssertProblem(HttpStatusCode.UnprocessableEntity);
        var badQuota = await team.ManagerSales.PostJsonAsync("/api/v1/quotas", quota with { periodStart = InQ(0), amount = -1m });
        badQuota.AssertProblem(HttpStatusCode.BadRequest);
        Assert.Equal(["amount", "periodStart"], badQuota.ErrorFields().Order());
        await team.ManagerSales.PostJsonAsync("/api/v1/quotas", new { subjectKind = "team", subjectId = team.TeamId.ToString(), period = "quarter", periodStart = Q(1), currency = "EUR", amount = 10000m }).CreatedAsync();

        var mine = await team.RepSales.GetJsonAsync($"/api/v1/forecast?period=quarter&{Window}").OkAsync();
        Assert.All(mine.Rows(), r => Assert.Equal(team.Rep, r.Str("ownerId")));
        var now = mine.RowOf(team.Rep, Q(0)).Figures("EUR")!.Value;
        Assert.Equal((1500m, 3000m, 0.5m), (now.Dec("closedWon"), now.Dec("quota"), now.Dec("attainment")));
        Assert.Equal((1, 400m, 200m), (now.GetProperty("count").GetInt32(), now.Dec("amount"), now.Dec("weightedAmount")));
        var next = mine.RowOf(team.Rep, Q(1));
        var eur = next.Figures("EUR")!.Value;
        Assert.Equal((3, 3700m, 1770m), (eur.GetProperty("count").GetInt32(), eur.Dec("amount"), eur.Dec("weightedAmount")));
        Assert.Equal((2700m, 0m, 1000m, 0m), (eur.Dec("commit"), eur.Dec("bestCase"), eur.Dec("pipeline"), eur.Dec("omitted")));
        var usd = next.Figures("USD")!.Value;
        Assert.Equal((500m, 250m, 500m), (usd.Dec("amount"), usd.Dec("weightedAmount"), usd.Dec("bestCase")));
        Assert.Equal(300m, mine.RowOf(team.Rep, Q(2)).Figures("EUR")!.Value.Dec("amount"));

        // By month, the quarter's deals fall in their months.
        var monthly = await team.RepSales.GetJsonAsync($"/api/v1/forecast?period=month&{Window}").OkAsync();
        Assert.Equal(3700m, monthly.RowOf(team.Rep, InQ(1)[..8] + "01").Figures("EUR")!.Value.Dec("amount"));

        // The manager sees the team's owners and the team's row; the outsider's deal is in neither.
        var managers = await team.ManagerSales.GetJsonAsync($"/api/v1/forecast?period=quarter&{Window}").OkAsync();
        Assert.Equal([team.Rep, team.Teammate], managers.Rows().Select(r => r.Str("ownerId")).Distinct().Order());
        var byTeam = await team.ManagerSales.GetJsonAsync($"/api/v1/forecast?period=quarter&{Window}&groupBy=team").OkAsync();
        var teamRow = byTeam.Rows().Single(r => r.GetProperty("teamId").GetGuid() == team.TeamId && r.Str("periodStart") == Q(1)).Figures("EUR")!.Value;
        Assert.Equal((3800.01m, 1820.01m, 10000m), (teamRow.Dec("amount"), teamRow.Dec("weightedAmount"), teamRow.Dec("quota")));
        Assert.Equal(3800.01m, managers.GetProperty("totals").EnumerateArray().Single(t => t.Str("periodStart") == Q(1)).Figures("EUR")!.Value.Dec("amount"));

        // A rep's forecast is their own, even with a teammate's owner id asked for; the outsider sees none of the team's.
        Assert.Empty((await team.RepSales.GetJsonAsync($"/api/v1/forecast?{Window}&ownerId={team.Teammate}").OkAsync()).Rows());
        Assert.DoesNotContain((await team.OutsiderSales.GetJsonAsync($"/api/v1/forecast?{Window}").OkAsync()).Rows(), r => r.Str("ownerId") == team.Rep);
        Assert.Empty((await team.OutsiderSales.GetJsonAsync("/api/v1/quotas")).Items());
        Assert.Single((await team.RepSales.GetJsonAsync("/api/v1/quotas")).Items());
        // The pipeline filter narrows to one pipeline.
        Assert.Empty((await team.RepSales.GetJsonAsync($"/api/v1/forecast?{Window}&pipelineId={(await CreatePipelineAsync(_sales)).Id()}").OkAsync()).Rows());
    }

    [Fact]
    public async Task Bad_forecast_questions_are_problems_and_other_tenants_see_nothing()
    {
        var invalid = await _sales.GetJsonAsync("/api/v1/forecast?period=week&groupBy=region&inactiveDays=0");
        invalid.AssertProblem(HttpStatusCode.BadRequest);
        Assert.Equal(["groupBy", "inactiveDays", "period"], invalid.ErrorFields().Order());
        (await _sales.GetJsonAsync("/api/v1/forecast?from=2027-06-01&to=2027-01-01")).AssertProblem(HttpStatusCode.BadRequest);
        (await _sales.GetJsonAsync("/api/v1/forecast?period=month&from=2020-01-01&to=2027-01-01")).AssertProblem(HttpStatusCode.BadRequest);
        (await _sales.PutJsonAsync($"/api/v1/opportunities/{Guid.NewGuid()}/forecast-category", new { category = "commit" }, null)).AssertProblem(HttpStatusCode.NotFound);

        var customer = await CustomerAsync(Platform, _contacts);
        var deal = await _sales.PostJsonAsync("/api/v1/opportunities", Opportunity(customer, expectedCloseDate: InQ(1))).CreatedAsync();
        var otherTenant = Platform.ClientFor(Platform.Sales, await Platform.Identity.SignedTokenAsync(Guid.NewGuid().ToString(), Guid.NewGuid(), Roles.Admin));
        var theirs = await otherTenant.GetJsonAsync($"/api/v1/forecast?{Window}").OkAsync();
        Assert.Empty(theirs.Rows());
        Assert.All(theirs.GetProperty("totals").EnumerateArray(), t => Assert.Empty(t.GetProperty("totals").EnumerateArray()));
        (await otherTenant.PutJsonAsync($"/api/v1/opportunities/{deal.Id()}/forecast-category", new { category = "commit" }, null)).AssertProblem(HttpStatusCode.NotFound);
        (await otherTenant.GetJsonAsync($"/api/v1/opportunities/{deal.Id()}/hygiene")).AssertProblem(HttpStatusCode.NotFound);
        Assert.Empty((await otherTenant.GetJsonAsync("/api/v1/quotas")).Items());
        var marketing = Platform.ClientFor(Platform.Sales, await Platform.Identity.SignedTokenAsync(Guid.NewGuid().ToString(), TenantContext.DefaultTenantId, Roles.Marketing));
        Assert.Equal(HttpStatusCode.Forbidden, (await marketing.GetJsonAsync("/api/v1/forecast")).Status);
    }
}
