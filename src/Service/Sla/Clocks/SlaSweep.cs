using System.Data.Common;
using CrmPlatform.Contracts;
using CrmPlatform.Contracts.Service.V1;
using CrmPlatform.Persistence.Bulk;
using CrmPlatform.Persistence.Outbox;
using CrmPlatform.Service.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace CrmPlatform.Service.Sla.Clocks;

/// <summary>
/// Publishes <c>SlaWarning</c> and <c>SlaBreached</c> when a running target's precomputed warning or due instant has
/// passed. What is due is read from the database (so what came due while Service was down goes out when it is back),
/// and each batch is claimed by one conditional <c>UPDATE … RETURNING</c> that stamps <c>warned_at</c> /
/// <c>breached_at</c> in the same transaction that queues the events in the outbox: two instances, or a crash between
/// claim and commit, never publish one twice. The claim is a range scan of a partial index per target and kind.
/// </summary>
public sealed class SlaSweep(IServiceScopeFactory scopes, OutboxSignal outbox, TimeProvider clock, IConfiguration configuration, ILogger<SlaSweep> logger)
    : PeriodicWorker
{
    public const int BatchSize = 1000;

    /// <summary>How often the sweep looks (<c>Sla:SweepInterval</c>, default 15 s): warnings and breaches are at most that late.</summary>
    public TimeSpan Interval => configuration.GetValue<TimeSpan?>("Sla:SweepInterval") ?? TimeSpan.FromSeconds(15);

    protected override ILogger Logger => logger;

    protected override TimeProvider Clock => clock;

    protected override string Work => "The SLA sweep";

    protected override TimeSpan AfterFailure => Interval;

    protected override async Task<TimeSpan> RunRoundAsync(CancellationToken cancellationToken)
    {
        await SweepAsync(cancellationToken);
        return Interval;
    }

    /// <summary>Publishes everything due now, in every tenant; returns how many warnings and breaches it queued.</summary>
    public async Task<(int Warnings, int Breaches)> SweepAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var (warnings, breaches) = (0, 0);
        foreach (var target in new[] { TicketSla.FirstResponseTarget, TicketSla.ResolutionTarget })
        {
            int claimed;
            do
            {
                claimed = await ClaimAsync(target, breach: true, now, cancellationToken);
                breaches += claimed;
            }
            while (claimed == BatchSize);
            do
            {
                claimed = await ClaimAsync(target, breach: false, now, cancellationToken);
                warnings += claimed;
            }
            while (claimed == BatchSize);
        }
        if (warnings + breaches > 0)
        {
            logger.LogInformation("SLA sweep: {Warnings} warnings, {Breaches} breaches", warnings, breaches);
        }
        return (warnings, breaches);
    }

    /// <summary>
    /// One batch: the claim and its events in one transaction. Breaches go first, and a warning whose target is
    /// already due is not claimed, so a ticket that came due while Service was down gets its breach, not both.
    /// </summary>
    private async Task<int> ClaimAsync(string target, bool breach, DateTime now, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var tenant = scope.ServiceProvider.GetRequiredService<TenantContext>();
        var db = scope.ServiceProvider.GetRequiredService<ServiceDbContext>();
        var escalation = scope.ServiceProvider.GetRequiredService<ISlaEscalation>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        var claims = await ClaimBatchAsync(db, transaction, target, breach, now, cancellationToken);
        foreach (var tenantClaims in claims.GroupBy(c => c.TenantId))
        {
            tenant.TenantId = tenantClaims.Key;
            List<IIntegrationEvent> events;
            if (breach)
            {
                var breaches = tenantClaims.Select(claim => new SlaBreached(Guid.NewGuid(), now, claim.TenantId, claim.TicketId, claim.Version, target,
                    claim.PolicyId, claim.Priority, claim.DueAt, null, claim.OrganizationId, claim.GroupId, claim.AssigneeId)).ToList();
                await escalation.BreachedAsync(breaches, db, cancellationToken);
                events = [.. breaches];
            }
            else
            {
                var warnings = tenantClaims.Select(claim => new SlaWarning(Guid.NewGuid(), now, claim.TenantId, claim.TicketId, claim.Version, target,
                    claim.PolicyId, claim.Priority, claim.DueAt, claim.WarnAt, claim.WarningPercent, claim.OrganizationId, claim.GroupId, claim.AssigneeId)).ToList();
                await escalation.WarnedAsync(warnings, db, cancellationToken);
                events = [.. warnings];
            }
            events.ForEach(db.AddEvent);
        }
        // A batch's thousand events by COPY: one INSERT each took most of a sweep that claims thousands.
        await BulkInsert.WriteAddedAsync(db, [typeof(OutboxMessage)], now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (claims.Count > 0)
        {
            outbox.Notify();
        }
        return claims.Count;
    }

    private sealed record Claim(
        Guid TicketId, Guid TenantId, int Version, string Priority, Guid PolicyId, int WarningPercent, Guid? OrganizationId, Guid? GroupId,
        string? AssigneeId, DateTime DueAt, DateTime WarnAt);

    /// <summary>
    /// The conditional update: its condition is re-checked on each locked row, and SKIP LOCKED leaves rows another
    /// sweep or a ticket change holds to them, so a claim can only stamp a target that is still armed.
    /// </summary>
    private static async Task<List<Claim>> ClaimBatchAsync(
        ServiceDbContext db, IDbContextTransaction transaction, string target, bool breach, DateTime now, CancellationToken cancellationToken)
    {
        var p = target == TicketSla.FirstResponseTarget ? "first_response" : "resolution";
        var armed = breach
            ? $"{p}_breached_at IS NULL AND {p}_met_at IS NULL AND {p}_due_at <= @now"
            : $"{p}_warned_at IS NULL AND {p}_breached_at IS NULL AND {p}_met_at IS NULL AND {p}_warn_at <= @now AND {p}_due_at > @now";
        var stamp = breach ? $"{p}_breached_at" : $"{p}_warned_at";
        var order = breach ? $"{p}_due_at" : $"{p}_warn_at";
        var connection = db.Database.GetDbConnection();
        await using var command = connection.CreateCommand();
        command.Transaction = transaction.GetDbTransaction();
        command.CommandText = $"""
            UPDATE ticket_slas AS t SET {stamp} = @now
            FROM (SELECT id FROM ticket_slas WHERE {armed} ORDER BY {order} LIMIT {BatchSize} FOR UPDATE SKIP LOCKED) AS due
            WHERE t.id = due.id AND t.{armed.Replace(" AND ", " AND t.", StringComparison.Ordinal)}
            RETURNING t.id, t.tenant_id, t.version, t.priority, t.policy_id, t.warning_percent, t.organization_id, t.group_id, t.assignee_id,
                t.{p}_due_at, t.{p}_warn_at
            """;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "now";
        parameter.Value = now;
        command.Parameters.Add(parameter);
        var claims = new List<Claim>();
        await using DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            claims.Add(new Claim(reader.GetGuid(0), reader.GetGuid(1), reader.GetInt32(2), reader.GetString(3), reader.GetGuid(4), reader.GetInt32(5),
                reader.IsDBNull(6) ? null : reader.GetGuid(6), reader.IsDBNull(7) ? null : reader.GetGuid(7), reader.IsDBNull(8) ? null : reader.GetString(8),
                reader.GetDateTime(9), reader.IsDBNull(10) ? reader.GetDateTime(9) : reader.GetDateTime(10)));
        }
        return claims;
    }
}
