using CrmPlatform.Sales.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Scoring;

/// <summary>
/// Retrains each tenant's model and rescores its leads (so engagement decays) every <see cref="Interval"/>. The next
/// run time is kept per tenant in <c>scoring_schedules</c> and claimed with one conditional update, so a run due while
/// Sales was down happens when it is back, and two instances never run the same tenant's turn twice.
/// </summary>
public sealed class ScoringWorker(IServiceScopeFactory scopes, ILogger<ScoringWorker> logger, IConfiguration configuration) : PeriodicWorker
{
    public TimeSpan Interval => TimeSpan.FromHours(configuration.GetValue("Scoring:IntervalHours", 24.0));
    private static readonly TimeSpan PollInterval = TimeSpan.FromMinutes(1);

    protected override ILogger Logger => logger;

    protected override string Work => "Scheduled lead scoring";

    protected override TimeSpan AfterFailure => PollInterval;

    protected override async Task<TimeSpan> RunRoundAsync(CancellationToken cancellationToken)
    {
        await RunDueAsync(cancellationToken);
        return PollInterval;
    }

    /// <summary>Runs every tenant whose turn has come; returns how many it ran.</summary>
    public async Task<int> RunDueAsync(CancellationToken cancellationToken)
    {
        List<Guid> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SalesDbContext>();
            // Every tenant with leads has a turn; a new one's first turn is now.
            await db.Database.ExecuteSqlAsync(
                $"INSERT INTO scoring_schedules (tenant_id, next_run_at) SELECT DISTINCT tenant_id, now() FROM leads ON CONFLICT DO NOTHING",
                cancellationToken);
            due = await db.ScoringSchedules.IgnoreQueryFilters().Where(s => s.NextRunAt <= DateTime.UtcNow)
                .Select(s => s.TenantId).ToListAsync(cancellationToken);
        }
        var ran = 0;
        foreach (var tenantId in due)
        {
            ran += await RunAsync(tenantId, cancellationToken) ? 1 : 0;
        }
        return ran;
    }

    private async Task<bool> RunAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().TenantId = tenantId;
        var db = scope.ServiceProvider.GetRequiredService<SalesDbContext>();
        var now = DateTime.UtcNow;
        var claimed = await db.ScoringSchedules.Where(s => s.NextRunAt <= now)
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.NextRunAt, now + Interval).SetProperty(s => s.LastRunAt, now), cancellationToken);
        if (claimed == 0)
        {
            return false;
        }
        var training = await ModelTrainer.TrainAsync(db, cancellationToken);
        var scored = await BulkScorer.RescoreTenantAsync(db, cancellationToken);
        logger.LogInformation("Tenant {Tenant}: model {Model}, {Scored} leads rescored", tenantId,
            training.Model?.Id.ToString() ?? training.NotTrainedBecause, scored);
        return true;
    }
}
