using System.Net;
using System.Text.Json;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Identity;
using CrmPlatform.Tests.Infrastructure;
using static CrmPlatform.Tests.Sales.PipelineTestData;

namespace CrmPlatform.Tests.Sales;

/// <summary>The pipeline board: open opportunities by stage, counted and summed per currency, within the caller's record scope.</summary>
[Collection(PipelinesCollection.Name)]
public sealed class PipelineBoardTests(PlatformFixture fixture)
{
    private PlatformServices Platform => fixture.Platform;
    private readonly HttpClient _sales = fixture.Platform.ClientFor(fixture.Platform.Sales);

    private static Task<JsonElement> BoardAsync(HttpClient sales, JsonElement pipeline) =>
        sales.GetJsonAsync($"/api/v1/pipelines/{pipeline.Id()}/board").OkAsync();

    private static (string Currency, decimal Amount, decimal Weighted)[] Totals(JsonElement element) =>
        [.. element.GetProperty("totals").EnumerateArray()
            .Select(t => (t.Str("currency"), t.GetProperty("amount").GetDecimal(), t.GetProperty("weightedAmount").GetDecimal()))];

    [Fact]
    public async Task The_board_counts_and_sums_open_opportunities_by_stage_weighted_by_probability()
    {
        var pipeline = await CreatePipelineAsync(_sales);
        var customer = await CustomerAsync(Platform, Platform.ClientFor(Platform.Contacts));
        async Task<JsonElement> OpportunityAsync(string stage, decimal amount, string currency = "EUR", string? lostReason = null) =>
            await _sales.PostJsonAsync("/api/v1/opportunities", Opportunity(customer, pipeline.Id(), stage, amount, currency, lostReason: lostReason)).CreatedAsync();
        await OpportunityAsync("lead", 100.00m);
        await OpportunityAsync("lead", 200.00m);
        await OpportunityAsync("lead", 50.00m, "USD");
        await OpportunityAsync("proposal", 1000.01m);
        await OpportunityAsync("won", 7m);
        var lost = await OpportunityAsync("lost", 9m, lostReason: "No budget");

        var board = await BoardAsync(_sales, pipeline);
        Assert.Equal(pipeline.Id(), board.GetProperty("pipelineId").GetGuid());
        var stages = board.GetProperty("stages").EnumerateArray().ToList();
        Assert.Equal(["lead", "proposal"], stages.Select(s => s.Str("key")));
        Assert.Equal([3, 1], stages.Select(s => s.GetProperty("count").GetInt32()));
        Assert.Equal([10, 50], stages.Select(s => s.GetProperty("probability").GetInt32()));
        Assert.Equal([("EUR", 300m, 30m), ("USD", 50m, 5m)], Totals(stages[0]));
        // 1000.01 × 50 % = 500.005, rounded half away from zero.
        Assert.Equal([("EUR", 1000.01m, 500.01m)], Totals(stages[1]));
        Assert.Equal(4, board.GetProperty("count").GetInt32());
        Assert.Equal([("EUR", 1300.01m, 530.01m), ("USD", 50m, 5m)], Totals(board));

        // Reopened, the lost opportunity is on the board again.
        await _sales.MoveAsync(lost, "lead").OkAsync();
        var after = await BoardAsync(_sales, pipeline);
        Assert.Equal(4, after.GetProperty("stages")[0].GetProperty("count").GetInt32());
        Assert.Equal([("EUR", 309m, 30.9m), ("USD", 50m, 5m)], Totals(after.GetProperty("stages")[0]));

        var empty = await BoardAsync(_sales, await CreatePipelineAsync(_sales));
        Assert.Equal(0, empty.GetProperty("count").GetInt32());
        Assert.All(empty.GetProperty("stages").EnumerateArray(), s => Assert.Empty(Totals(s)));
        (await _sales.GetJsonAsync($"/api/v1/pipelines/{Guid.CreateVersion7()}/board")).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Reps_see_their_own_and_their_teams_opportunities_on_the_board_managers_their_teams()
    {
        var admin = Platform.ClientFor(Platform.Identity.Factory);
        var rep = await IdentityApi.NewUserAsync(admin, Roles.SalesRep);
        var teammate = await IdentityApi.NewUserAsync(admin, Roles.SalesRep);
        var manager = await IdentityApi.NewUserAsync(admin, Roles.SalesManager);
        var outsider = await IdentityApi.NewUserAsync(admin, Roles.SalesRep);
        await admin.PostJsonAsync("/api/v1/teams", new { name = $"Board {Guid.NewGuid():N}", memberIds = new[] { rep.Id, teammate.Id, manager.Id } }).CreatedAsync();
        async Task<HttpClient> SalesAs(TestUser user, string role) =>
            Platform.ClientFor(Platform.Sales, await Platform.Identity.SignedTokenAsync(user.Id.ToString(), TenantContext.DefaultTenantId, role));
        var (repSales, teammateSales, managerSales, outsiderSales) = (
            await SalesAs(rep, Roles.SalesRep), await SalesAs(teammate, Roles.SalesRep), await SalesAs(manager, Roles.SalesManager), await SalesAs(outsider, Roles.SalesRep));

        var pipeline = await CreatePipelineAsync(_sales);
        var customer = await CustomerAsync(Platform, Platform.ClientFor(Platform.Contacts));
        foreach (var (sales, amount) in new[] { (repSales, 10m), (teammateSales, 20m), (outsiderSales, 40m), (_sales, 80m) })
        {
            await sales.PostJsonAsync("/api/v1/opportunities", Opportunity(customer, pipeline.Id(), "lead", amount)).CreatedAsync();
        }

        // The team reaches Sales as an event; until then each rep sees only their own.
        await Eventually.TrueAsync(async () => (await BoardAsync(repSales, pipeline)).GetProperty("count").GetInt32() == 2, "the rep's board shows the team's");
        foreach (var (sales, who) in new[] { (repSales, "rep"), (teammateSales, "teammate"), (managerSales, "manager") })
        {
            var board = await BoardAsync(sales, pipeline);
            Assert.True(board.GetProperty("count").GetInt32() == 2, who);
            Assert.Equal([("EUR", 30m, 3m)], Totals(board));
        }
        Assert.Equal([("EUR", 40m, 4m)], Totals(await BoardAsync(outsiderSales, pipeline)));
        Assert.Equal([("EUR", 150m, 15m)], Totals(await BoardAsync(_sales, pipeline)));
        Assert.Equal(HttpStatusCode.Forbidden, (await repSales.PostJsonAsync("/api/v1/pipelines", Pipeline())).Status);
    }
}
