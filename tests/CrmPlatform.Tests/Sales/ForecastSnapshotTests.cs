using CrmPlatform.Sales.Forecast;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static CrmPlatform.Tests.Sales.PipelineTestData;

namespace CrmPlatform.Tests.Sales;

/// <summary>
/// Weekly forecast snapshots on real PostgreSQL: taken once per tenant and week by the worker (also by two workers at
/// once, or a fresh one after a restart), holding the forecast as it stood, and compared later with what closed.
/// </summary>
[Collection(PipelinesCollection.Name)]
public sealed class ForecastSnapshotTests(PlatformFixture fixture)
{
    private PlatformServices Platform => fixture.Platform;

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>A snapshot worker of its own over Sales' database, as a freshly started Sales would run it, at <paramref name="now"/>.</summary>
    private ForecastSnapshots Worker(DateTimeOffset now) =>
        ActivatorUtilities.CreateInstance<ForecastSnapshots>(Platform.Sales.Services, (TimeProvider)new FixedClock(now));

    private Task<int> SnapshotsAsync(Guid tenant, DateOnly week) => PlatformServices.QueryAsync(Platform.Sales,
        db => db.ForecastSnapshots.IgnoreQueryFilters().CountAsync(s => s.TenantId == tenant && s.WeekOf == week));

    [Fact]
    public async Task A_week_has_one_snapshot_per_tenant_whatever_runs_it_and_it_compares_with_what_closed()
    {
        // A tenant of its own, so the snapshot holds only this test's deals.
        var tenant = Guid.NewGuid();
        var token = await Platform.Identity.SignedTokenAsync(Guid.NewGuid().ToString(), tenant, Roles.Admin);
        var sales = Platform.ClientFor(Platform.Sales, token);
        var customer = await CustomerAsync(Platform, Platform.ClientFor(Platform.Contacts, token));
        var month = new DateOnly(DateTime.UtcNow.Year, DateTime.UtcNow.Month, 1);
        var closeDate = month.AddDays(20).ToString("yyyy-MM-dd");
        var pipeline = await CreatePipelineAsync(sales, Pipeline(null, false, Stage("lead", 10), Stage("negotiation", 80), Stage("won", 100, "won"), Stage("lost", 0, "lost")));
        var big = await sales.PostJsonAsync("/api/v1/opportunities", Opportunity(customer, pipeline.Id(), "negotiation", 5000m, expectedCloseDate: closeDate)).CreatedAsync();
        await sales.PostJsonAsync("/api/v1/opportunities", Opportunity(customer, pipeline.Id(), "lead", 1000m, expectedCloseDate: closeDate)).CreatedAsync();

        // A Wednesday years ahead: no worker has taken that week yet. Two workers at once take one snapshot.
        var wednesday = new DateTimeOffset(2031, 3, 5, 10, 0, 0, TimeSpan.Zero);
        var week = new DateOnly(2031, 3, 3);
        Assert.Equal(week, ForecastSnapshots.WeekOf(wednesday.UtcDateTime));
        await Task.WhenAll(Worker(wednesday).TakeDueAsync(CancellationToken.None), Worker(wednesday).TakeDueAsync(CancellationToken.None));
        Assert.Equal(1, await SnapshotsAsync(tenant, week));
        // A restarted Sales later that week takes nothing more; the next Monday is a new week.
        await Worker(wednesday.AddDays(2)).TakeDueAsync(CancellationToken.None);
        Assert.Equal(1, await SnapshotsAsync(tenant, week));
        await Worker(wednesday.AddDays(5)).TakeDueAsync(CancellationToken.None);
        Assert.Equal(1, await SnapshotsAsync(tenant, week.AddDays(7)));

        var snapshots = (await sales.GetJsonAsync("/api/v1/forecast/snapshots")).Items();
        var snapshot = snapshots.Single(s => s.Str("weekOf") == "2031-03-03");
        Assert.DoesNotContain(snapshots, s => s.Str("weekOf") == "2031-02-24");

        // Won after the snapshot: the comparison shows the forecast as it stood beside what closed.
        await sales.MoveAsync(big, "won").OkAsync();
        var from = month.ToString("yyyy-MM-dd");
        var comparison = await sales.GetJsonAsync($"/api/v1/forecast/snapshots/{snapshot.Id()}?period=month&from={from}&to={from}").OkAsync();
        var total = comparison.GetProperty("forecast").GetProperty("totals")[0].Figures("EUR")!.Value;
        Assert.Equal((2, 6000m, 4100m, 5000m, 1000m), (total.GetProperty("count").GetInt32(), total.Dec("amount"), total.Dec("weightedAmount"), total.Dec("commit"), total.Dec("pipeline")));
        Assert.Equal(5000m, total.Dec("closedWon"));
        // The live forecast has moved on: one open deal left.
        var live = await sales.GetJsonAsync($"/api/v1/forecast?period=month&from={from}&to={from}").OkAsync();
        Assert.Equal(1000m, live.GetProperty("totals")[0].Figures("EUR")!.Value.Dec("amount"));

        // Another tenant neither lists nor reads it.
        var other = Platform.ClientFor(Platform.Sales, await Platform.Identity.SignedTokenAsync(Guid.NewGuid().ToString(), Guid.NewGuid(), Roles.Admin));
        Assert.Empty((await other.GetJsonAsync("/api/v1/forecast/snapshots")).Items());
        (await other.GetJsonAsync($"/api/v1/forecast/snapshots/{snapshot.Id()}")).AssertProblem(System.Net.HttpStatusCode.NotFound);
    }
}
