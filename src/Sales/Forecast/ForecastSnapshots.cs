using CrmPlatform.Sales.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Forecast;

/// <summary>
/// Takes each tenant's forecast snapshot once a week (the week starts Monday 00:00 UTC). What is due is read from the
/// database (tenants with opportunities and no snapshot for the current week), so a week whose Monday passed while
/// Sales was down gets its snapshot when it is back, within that week; a week Sales missed entirely has none, because
/// the forecast as it stood then can no longer be read. The snapshot row is inserted first, guarded by the unique
/// (tenant, week) index, in the transaction that writes its lines: two instances, or a restart mid-way, never take
/// two, and a failed one leaves nothing.
/// </summary>
public sealed class ForecastSnapshots(IServiceScopeFactory scopes, TimeProvider clock, ILogger<ForecastSnapshots> logger) : PeriodicWorker
{
    /// <summary>The longest sleep: another instance may have taken the week's snapshots, or a tenant started selling.</summary>
    internal static readonly TimeSpan PollInterval = TimeSpan.FromHours(1);
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMinutes(1);

    public static DateOnly WeekOf(DateTime now)
    {
        var today = DateOnly.FromDateTime(now);
        return today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
    }

    protected override ILogger Logger => logger;

    protected override TimeProvider Clock => clock;

    protected override string Work => "Taking forecast snapshots";

    protected override TimeSpan AfterFailure => RetryInterval;

    /// <summary>Sleeps until the next week begins, or <see cref="PollInterval"/> at the most.</summary>
    protected override async Task<TimeSpan> RunRoundAsync(CancellationToken cancellationToken)
    {
        await TakeDueAsync(cancellationToken);
        var nextWeek = WeekOf(clock.GetUtcNow().UtcDateTime).AddDays(7).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var until = nextWeek - clock.GetUtcNow().UtcDateTime;
        return until < PollInterval ? until + TimeSpan.FromSeconds(1) : PollInterval;
    }

    /// <summary>Takes this week's snapshot of every tenant that has none yet; returns how many it took.</summary>
    public async Task<int> TakeDueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var week = WeekOf(now);
        List<Guid> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SalesDbContext>();
            due = await db.Opportunities.IgnoreQueryFilters().Select(o => o.TenantId).Distinct()
                .Where(tenant => !db.ForecastSnapshots.IgnoreQueryFilters().Any(s => s.TenantId == tenant && s.WeekOf == week))
                .ToListAsync(cancellationToken);
        }
        var taken = 0;
        foreach (var tenant in due)
        {
            taken += await TakeAsync(tenant, week, now, cancellationToken) ? 1 : 0;
        }
        return taken;
    }

    private async Task<bool> TakeAsync(Guid tenantId, DateOnly week, DateTime now, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var tenant = scope.ServiceProvider.GetRequiredService<TenantContext>();
        (tenant.TenantId, tenant.ActorId, tenant.SeesWholeTenant) = (tenantId, null, true);
        var db = scope.ServiceProvider.GetRequiredService<SalesDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var snapshotId = Guid.CreateVersion7();
        // A concurrent taker's row makes this insert wait for its commit, then insert nothing.
        var claimed = await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO forecast_snapshots (id, tenant_id, week_of, created_at) VALUES ({snapshotId}, {tenantId}, {week}, {now}) ON CONFLICT (tenant_id, week_of) DO NOTHING",
            cancellationToken);
        if (claimed == 0)
        {
            return false;
        }
        var query = await ForecastQuery.ForAsync(db, ForecastScope.Tenant, cancellationToken);
        var open = await query.OpenAsync(ForecastPeriods.Month, DateOnly.MinValue, DateOnly.MaxValue, null, HygieneSettings.Default, now, cancellationToken);
        db.ForecastSnapshotLines.AddRange(open.Select(g => new ForecastSnapshotLine
        {
            SnapshotId = snapshotId, OwnerId = g.OwnerId, Month = g.Period, Currency = g.Currency, Category = g.Category,
            Count = g.Count, Amount = g.Amount, WeightedAmount = g.WeightedAmount,
        }));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Took the forecast snapshot of tenant {TenantId} for the week of {Week}", tenantId, week);
        return true;
    }
}
