using CrmPlatform.Persistence;
using CrmPlatform.Sales.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Activities;

/// <summary>Wakes <see cref="TaskReminders"/> when a task is created or rescheduled, so it can sleep until the next reminder.</summary>
public sealed class TaskReminderSignal : WakeSignal;

/// <summary>
/// Publishes <c>TaskDue</c> when an open task's reminder time arrives. What is due is read from the database (open,
/// reminder time passed, not yet reminded of that time), so a reminder that came due while Sales was down goes out
/// when it is back. Each reminder is claimed with one conditional update that records the reminder time as reminded,
/// in the transaction that queues the event in the outbox: two instances (or a retry) never publish it twice.
/// </summary>
public sealed class TaskReminders(
    IServiceScopeFactory scopes, TaskReminderSignal signal, TimeProvider clock, ILogger<TaskReminders> logger) : BackgroundService
{
    private const int BatchSize = 100;
    /// <summary>The longest sleep: a task written by another instance of Sales does not wake this one.</summary>
    internal static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(30);
    /// <summary>The shortest sleep, so that a clock a little behind the database's does not spin the loop.</summary>
    private static readonly TimeSpan MinWait = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = RetryInterval;
            try
            {
                await PublishDueAsync(stoppingToken);
                wait = await UntilNextReminderAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Publishing task reminders failed; retrying at the next check");
            }
            try
            {
                await signal.WaitAsync(wait, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Publishes every reminder due now, in every tenant; returns how many it published.</summary>
    public async Task<int> PublishDueAsync(CancellationToken cancellationToken)
    {
        var published = 0;
        List<(Guid Id, Guid TenantId)> due;
        do
        {
            var now = clock.GetUtcNow().UtcDateTime;
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<SalesDbContext>();
                due = (await Armed(db.Tasks.IgnoreQueryFilters()).Where(t => t.ReminderAt <= now)
                        .OrderBy(t => t.ReminderAt).Take(BatchSize)
                        .Select(t => new { t.Id, t.TenantId }).ToListAsync(cancellationToken))
                    .Select(t => (t.Id, t.TenantId)).ToList();
            }
            foreach (var (id, tenantId) in due)
            {
                published += await PublishAsync(id, tenantId, now, cancellationToken) ? 1 : 0;
            }
        }
        while (due.Count == BatchSize);
        return published;
    }

    private static IQueryable<SalesTask> Armed(IQueryable<SalesTask> tasks) =>
        tasks.Where(t => t.Status == TaskStatuses.Open && (t.RemindedAt == null || t.RemindedAt != t.ReminderAt));

    /// <summary>
    /// Claims the reminder and queues its event in one transaction. The update's condition is re-checked on the locked
    /// row, so a concurrent claim, completion or reschedule makes this one update nothing and publish nothing.
    /// </summary>
    private async Task<bool> PublishAsync(Guid id, Guid tenantId, DateTime now, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().TenantId = tenantId;
        var db = scope.ServiceProvider.GetRequiredService<SalesDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Bookkeeping, not a change of the task: no new version, so a client's If-Match still holds.
        var claimed = await Armed(db.Tasks).Where(t => t.Id == id && t.ReminderAt <= now)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.RemindedAt, t => t.ReminderAt), cancellationToken);
        if (claimed == 0)
        {
            return false;
        }
        var task = await db.Tasks.AsNoTracking().SingleAsync(t => t.Id == id, cancellationToken);
        db.AddEvent(task.Due(now));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private async Task<TimeSpan> UntilNextReminderAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SalesDbContext>();
        var next = await Armed(db.Tasks.IgnoreQueryFilters()).MinAsync(t => (DateTime?)t.ReminderAt, cancellationToken);
        if (next is null)
        {
            return PollInterval;
        }
        var until = next.Value - clock.GetUtcNow().UtcDateTime;
        return until < MinWait ? MinWait : until > PollInterval ? PollInterval : until;
    }
}
