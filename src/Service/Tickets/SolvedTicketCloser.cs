using CrmPlatform.Service.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Service.Tickets;

/// <summary>
/// Closes tickets solved longer than <c>Service:Tickets:CloseSolvedAfter</c> ago (4 days, as helpdesks' default
/// automation does): a requester who has not answered by then has nothing more to add, and the desk's open views stay
/// short. A mail to a closed ticket opens a follow-up ticket (see <see cref="TicketIntake"/>), so nothing is lost.
/// Each closing is an ordinary status change in a transaction with its events; tickets being changed right then are
/// skipped (SKIP LOCKED) and closed at the next round.
/// </summary>
public sealed class SolvedTicketCloser(IServiceScopeFactory scopes, TimeProvider clock, IConfiguration configuration, ILogger<SolvedTicketCloser> logger)
    : PeriodicWorker
{
    public const int BatchSize = 200;

    public TimeSpan CloseSolvedAfter => configuration.GetValue<TimeSpan?>("Service:Tickets:CloseSolvedAfter") ?? TimeSpan.FromDays(4);

    private TimeSpan Interval => configuration.GetValue<TimeSpan?>("Service:Tickets:CloseInterval") ?? TimeSpan.FromMinutes(5);

    protected override ILogger Logger => logger;

    protected override TimeProvider Clock => clock;

    protected override string Work => "Closing solved tickets";

    protected override TimeSpan AfterFailure => Interval;

    protected override async Task<TimeSpan> RunRoundAsync(CancellationToken cancellationToken)
    {
        await CloseDueAsync(cancellationToken);
        return Interval;
    }

    /// <summary>Closes every ticket that is due, in batches; returns how many were closed.</summary>
    public async Task<int> CloseDueAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        int closed;
        do
        {
            closed = await CloseBatchAsync(cancellationToken);
            total += closed;
        }
        while (closed == BatchSize);
        if (total > 0)
        {
            logger.LogInformation("Closed {Count} tickets solved more than {After} ago", total, CloseSolvedAfter);
        }
        return total;
    }

    private async Task<int> CloseBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var tenant = scope.ServiceProvider.GetRequiredService<TenantContext>();
        var db = scope.ServiceProvider.GetRequiredService<ServiceDbContext>();
        var now = clock.GetUtcNow().UtcDateTime;
        var solvedBefore = now - CloseSolvedAfter;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Across tenants: the batch is the platform's work, each ticket is then written as its tenant's.
        var due = await db.Tickets
            .FromSql($"SELECT * FROM tickets WHERE status = 'solved' AND solved_at <= {solvedBefore} ORDER BY solved_at LIMIT {BatchSize} FOR UPDATE SKIP LOCKED")
            .IgnoreQueryFilters().ToListAsync(cancellationToken);
        foreach (var ticket in due)
        {
            tenant.TenantId = ticket.TenantId;
            tenant.ActorId = null;
            var (previousStatus, previousPriority, previousGroupId, previousAssigneeId) = (ticket.Status, ticket.Priority, ticket.GroupId, ticket.AssigneeId);
            ticket.MoveTo(TicketStatuses.Closed, now);
            await TicketSlaHooks.FollowAsync(db, ticket, previousStatus, previousPriority, previousGroupId, previousAssigneeId, now, clock, cancellationToken);
            db.Stamp();
            foreach (var integrationEvent in ticket.Changed(TicketsApi.ChangedFields(db, ticket), previousStatus, db.Actor))
            {
                db.AddEvent(integrationEvent);
            }
            // Saved per ticket: the next one belongs to another tenant, and what is added is stamped with the current one.
            await db.SaveChangesAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return due.Count;
    }
}
