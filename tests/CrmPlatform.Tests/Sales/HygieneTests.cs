using System.Text.Json;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static CrmPlatform.Tests.Sales.PipelineTestData;

namespace CrmPlatform.Tests.Sales;

/// <summary>
/// Deal hygiene flags on real PostgreSQL, per opportunity, in the hygiene list and counted in the roll-up: stale beyond
/// the 75th percentile of won deals' time in the stage, close date pushed N times, no next commitment, no activity for
/// N days. Times in the past are set in the database: the flags read them as they would after real weeks.
/// </summary>
[Collection(PipelinesCollection.Name)]
public sealed class HygieneTests(PlatformFixture fixture)
{
    private PlatformServices Platform => fixture.Platform;
    private readonly HttpClient _contacts = fixture.Platform.ClientFor(fixture.Platform.Contacts);
    private readonly HttpClient _sales = fixture.Platform.ClientFor(fixture.Platform.Sales);

    private async Task<HttpClient> RepAsync() =>
        Platform.ClientFor(Platform.Sales, await Platform.Identity.SignedTokenAsync(Guid.NewGuid().ToString(), TenantContext.DefaultTenantId, Roles.SalesRep));

    private Task SetAsync(Guid opportunityId, DateTime? stageEnteredAt = null, DateTime? createdAt = null) =>
        PlatformServices.QueryAsync(Platform.Sales, db => db.Opportunities.IgnoreQueryFilters().Where(o => o.Id == opportunityId).ExecuteUpdateAsync(set => set
            .SetProperty(o => o.StageEnteredAt, o => stageEnteredAt ?? o.StageEnteredAt)
            .SetProperty(o => o.CreatedAt, o => createdAt ?? o.CreatedAt)));

    private static async Task<JsonElement> FlagsAsync(HttpClient sales, JsonElement deal, string query = "") =>
        (await sales.GetJsonAsync($"/api/v1/opportunities/{deal.Id()}/hygiene{query}").OkAsync()).GetProperty("deal").GetProperty("flags");

    [Fact]
    public async Task A_deal_is_stale_beyond_the_75th_percentile_of_won_deals_time_in_its_stage()
    {
        var rep = await RepAsync();
        var pipeline = await CreatePipelineAsync(_sales);
        var customer = await CustomerAsync(Platform, _contacts);
        async Task<JsonElement> DealAsync() => await rep.PostJsonAsync("/api/v1/opportunities", Opportunity(customer, pipeline.Id(), "lead")).CreatedAsync();

        // Four won deals spent 100, 200, 300 and 400 s in lead: the 75th percentile is 325 s. A lost one's 10 000 s do not count.
        var seconds = new[] { 100L, 200L, 300L, 400L };
        var wonDeals = new List<JsonElement>();
        foreach (var spent in seconds)
        {
            var won = await rep.MoveAsync(await DealAsync(), "won").OkAsync();
            wonDeals.Add(won);
            await PlatformServices.QueryAsync(Platform.Sales, db => db.OpportunityStageChanges.IgnoreQueryFilters()
                .Where(c => c.OpportunityId == won.Id() && c.FromStage == "lead").ExecuteUpdateAsync(set => set.SetProperty(c => c.SecondsInPreviousStage, spent)));
        }
        var lost = await rep.MoveAsync(await DealAsync(), "lost", lostReason: "Gone quiet").OkAsync();
        await PlatformServices.QueryAsync(Platform.Sales, db => db.OpportunityStageChanges.IgnoreQueryFilters()
            .Where(c => c.OpportunityId == lost.Id() && c.FromStage == "lead").ExecuteUpdateAsync(set => set.SetProperty(c => c.SecondsInPreviousStage, 10_000L)));

        var slow = await DealAsync();
        var recent = await DealAsync();
        await SetAsync(slow.Id(), stageEnteredAt: DateTime.UtcNow.AddSeconds(-400));
        await SetAsync(recent.Id(), stageEnteredAt: DateTime.UtcNow.AddSeconds(-200));
        Assert.True((await FlagsAsync(rep, slow)).GetProperty("stale").GetBoolean());
        Assert.False((await FlagsAsync(rep, recent)).GetProperty("stale").GetBoolean());

        var stale = (await rep.GetJsonAsync("/api/v1/forecast/hygiene?flag=stale").OkAsync()).GetProperty("items").EnumerateArray().Select(d => d.GetProperty("opportunityId").GetGuid()).ToList();
        Assert.Equal([slow.Id()], stale);
        // Reopened, the 400 s deal no longer counts as won: the 75th percentile of 100, 200 and 300 s is 250 s.
        var middling = await DealAsync();
        await SetAsync(middling.Id(), stageEnteredAt: DateTime.UtcNow.AddSeconds(-300));
        Assert.False((await FlagsAsync(rep, middling)).GetProperty("stale").GetBoolean());
        await rep.MoveAsync(wonDeals[^1], "lead").OkAsync();
        Assert.True((await FlagsAsync(rep, middling)).GetProperty("stale").GetBoolean());
        // A stage no won deal has left has no baseline: nothing in it is stale.
        var other = await CreatePipelineAsync(_sales);
        var unmeasured = await rep.PostJsonAsync("/api/v1/opportunities", Opportunity(customer, other.Id(), "lead")).CreatedAsync();
        await SetAsync(unmeasured.Id(), stageEnteredAt: DateTime.UtcNow.AddDays(-400));
        Assert.False((await FlagsAsync(rep, unmeasured)).GetProperty("stale").GetBoolean());
    }

    [Fact]
    public async Task Close_date_pushes_missing_commitments_and_silence_raise_flags_counted_in_the_roll_up()
    {
        var rep = await RepAsync();
        var customer = await CustomerAsync(Platform, _contacts);
        var deal = await rep.PostJsonAsync("/api/v1/opportunities", Opportunity(customer, expectedCloseDate: "2031-01-15")).CreatedAsync();
        var flags = await FlagsAsync(rep, deal);
        Assert.Equal((0, false, true, false), (flags.GetProperty("closeDatePushes").GetInt32(), flags.GetProperty("closeDatePushed").GetBoolean(),
            flags.GetProperty("noNextCommitment").GetBoolean(), flags.GetProperty("noRecentActivity").GetBoolean()));

        // Pushed later twice, pulled earlier once: two pushes, flagged at the default of two, not at three.
        var current = deal;
        foreach (var date in new[] { "2031-02-15", "2031-01-31", "2031-03-15" })
        {
            current = await rep.PutJsonAsync($"/api/v1/opportunities/{deal.Id()}",
                new { name = "Deal", amount = 1000m, currency = "EUR", customerId = customer, expectedCloseDate = date }, current.ETag()).OkAsync();
        }
        var hygiene = await rep.GetJsonAsync($"/api/v1/opportunities/{deal.Id()}/hygiene").OkAsync();
        Assert.Equal([true, false, true], hygiene.GetProperty("closeDateChanges").EnumerateArray().Select(c => c.GetProperty("pushed").GetBoolean()));
        Assert.True((await FlagsAsync(rep, deal)).GetProperty("closeDatePushed").GetBoolean());
        Assert.False((await FlagsAsync(rep, deal, "?pushedAtLeast=3")).GetProperty("closeDatePushed").GetBoolean());

        // A commitment clears its flag until it is resolved.
        var commitment = await rep.PostJsonAsync($"/api/v1/opportunities/{deal.Id()}/commitments", new { description = "Legal review", dueBy = "2031-01-10" }).CreatedAsync();
        Assert.False((await FlagsAsync(rep, deal)).GetProperty("noNextCommitment").GetBoolean());
        await rep.PutJsonAsync($"/api/v1/opportunities/{deal.Id()}/commitments/{commitment.Id()}", new { status = "missed" }, commitment.ETag()).OkAsync();
        Assert.True((await FlagsAsync(rep, deal)).GetProperty("noNextCommitment").GetBoolean());

        // Twenty silent days: flagged at 14, not at 30; an activity today clears it.
        await SetAsync(deal.Id(), createdAt: DateTime.UtcNow.AddDays(-20));
        Assert.True((await FlagsAsync(rep, deal)).GetProperty("noRecentActivity").GetBoolean());
        Assert.False((await FlagsAsync(rep, deal, "?inactiveDays=30")).GetProperty("noRecentActivity").GetBoolean());

        var forecast = await rep.GetJsonAsync("/api/v1/forecast?period=quarter&from=2031-01-01&to=2031-03-31").OkAsync();
        var counts = Assert.Single(forecast.GetProperty("rows").EnumerateArray()).GetProperty("hygiene");
        Assert.Equal((0, 1, 1, 1), (counts.GetProperty("stale").GetInt32(), counts.GetProperty("closeDatePushed").GetInt32(),
            counts.GetProperty("noNextCommitment").GetInt32(), counts.GetProperty("noRecentActivity").GetInt32()));
        var flagged = (await rep.GetJsonAsync("/api/v1/forecast/hygiene?flag=no-recent-activity").OkAsync()).GetProperty("items");
        Assert.Equal(deal.Id(), Assert.Single(flagged.EnumerateArray()).GetProperty("opportunityId").GetGuid());

        await rep.PostJsonAsync("/api/v1/activities", new { kind = "call", subject = "Check-in", occurredAt = DateTime.UtcNow, opportunityId = deal.Id() }).CreatedAsync();
        Assert.False((await FlagsAsync(rep, deal)).GetProperty("noRecentActivity").GetBoolean());
        (await rep.GetJsonAsync("/api/v1/forecast/hygiene?flag=dusty")).AssertProblem(System.Net.HttpStatusCode.BadRequest);
    }

    private sealed record Facts(DateTime? LastActivityAt, int CloseDatePushes, bool HasCurrentCommitment);

    /// <summary>The facts the opportunity row carries, and the same facts computed from their sources now.</summary>
    private async Task<(Facts Row, Facts Sources)> FactsAsync(Guid opportunityId) =>
        (await PlatformServices.QueryAsync(Platform.Sales, db => db.Opportunities.IgnoreQueryFilters().AsNoTracking().Where(o => o.Id == opportunityId)
            .Select(o => new Facts(o.LastActivityAt, o.CloseDatePushes, o.HasCurrentCommitment)).SingleAsync()),
         await PlatformServices.QueryAsync(Platform.Sales, async db => new Facts(
            await db.Activities.IgnoreQueryFilters().Where(a => a.OpportunityId == opportunityId).MaxAsync(a => (DateTime?)a.OccurredAt),
            await db.CloseDateChanges.IgnoreQueryFilters().CountAsync(c => c.OpportunityId == opportunityId && c.Pushed),
            await db.CustomerCommitments.IgnoreQueryFilters().AnyAsync(k => k.OpportunityId == opportunityId && k.Status == "current"))));

    private async Task<Facts> AgreedFactsAsync(Guid opportunityId)
    {
        var (row, sources) = await FactsAsync(opportunityId);
        Assert.Equal(sources, row);
        return row;
    }

    [Fact]
    public async Task The_facts_kept_on_the_opportunity_row_follow_activities_close_date_changes_and_commitments()
    {
        var rep = await RepAsync();
        var customer = await CustomerAsync(Platform, _contacts);
        var deal = await rep.PostJsonAsync("/api/v1/opportunities", Opportunity(customer, expectedCloseDate: "2031-01-15")).CreatedAsync();
        var other = await rep.PostJsonAsync("/api/v1/opportunities", Opportunity(customer, expectedCloseDate: "2031-01-15")).CreatedAsync();
        Assert.Equal(new Facts(null, 0, false), await AgreedFactsAsync(deal.Id()));

        // Activities: the latest one counts; deleting it (a manager may) falls back to the one before; moving that one away leaves none.
        object Activity(DateTime occurredAt, Guid opportunityId) => new { kind = "call", subject = "Check-in", occurredAt, opportunityId };
        var older = await rep.PostJsonAsync("/api/v1/activities", Activity(DateTime.UtcNow.AddDays(-3), deal.Id())).CreatedAsync();
        var newer = await rep.PostJsonAsync("/api/v1/activities", Activity(DateTime.UtcNow.AddDays(-1), deal.Id())).CreatedAsync();
        var afterTwo = await AgreedFactsAsync(deal.Id());
        Assert.Equal(newer.GetProperty("occurredAt").GetDateTime().ToUniversalTime(), afterTwo.LastActivityAt);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await _sales.DeleteJsonAsync($"/api/v1/activities/{newer.Id()}", newer.ETag())).Status);
        Assert.Equal(older.GetProperty("occurredAt").GetDateTime().ToUniversalTime(), (await AgreedFactsAsync(deal.Id())).LastActivityAt);
        await rep.PutJsonAsync($"/api/v1/activities/{older.Id()}", Activity(DateTime.UtcNow.AddDays(-2), other.Id()), older.ETag()).OkAsync();
        Assert.Null((await AgreedFactsAsync(deal.Id())).LastActivityAt);
        Assert.NotNull((await AgreedFactsAsync(other.Id())).LastActivityAt);

        // Close dates: pushed twice and pulled once is two pushes.
        var current = deal;
        foreach (var date in new[] { "2031-02-15", "2031-01-31", "2031-03-15" })
        {
            current = await rep.PutJsonAsync($"/api/v1/opportunities/{deal.Id()}",
                new { name = "Deal", amount = 1000m, currency = "EUR", customerId = customer, expectedCloseDate = date }, current.ETag()).OkAsync();
        }
        Assert.Equal(2, (await AgreedFactsAsync(deal.Id())).CloseDatePushes);

        // Commitments: a newer one supersedes the current one (still committed); kept, nothing is current any more.
        var first = await rep.PostJsonAsync($"/api/v1/opportunities/{deal.Id()}/commitments", new { description = "Legal review", dueBy = "2031-01-10" }).CreatedAsync();
        Assert.True((await AgreedFactsAsync(deal.Id())).HasCurrentCommitment);
        var second = await rep.PostJsonAsync($"/api/v1/opportunities/{deal.Id()}/commitments", new { description = "Security review", dueBy = "2031-01-20" }).CreatedAsync();
        Assert.True((await AgreedFactsAsync(deal.Id())).HasCurrentCommitment);
        await rep.PutJsonAsync($"/api/v1/opportunities/{deal.Id()}/commitments/{second.Id()}", new { status = "kept" }, second.ETag()).OkAsync();
        Assert.Equal(new Facts(null, 2, false), await AgreedFactsAsync(deal.Id()));
        Assert.NotEqual(first.Id(), second.Id());

        // The roll-up and the hygiene list read the same facts.
        var flags = await FlagsAsync(rep, deal);
        Assert.Equal((2, true, true), (flags.GetProperty("closeDatePushes").GetInt32(), flags.GetProperty("closeDatePushed").GetBoolean(),
            flags.GetProperty("noNextCommitment").GetBoolean()));
    }
}
