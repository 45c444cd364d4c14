using System.Collections.Concurrent;
using System.Text.Json;
using CrmPlatform.Contracts.Marketing.V1;
using CrmPlatform.Marketing.Campaigns;
using CrmPlatform.Marketing.Data;
using CrmPlatform.Marketing.Segments;
using CrmPlatform.Persistence;
using CrmPlatform.Persistence.ContactDirectory;
using CrmPlatform.Persistence.Outbox;
using CrmPlatform.ServiceDefaults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace CrmPlatform.Marketing.Journeys;

/// <summary>Wakes the runner when someone enrols, so the first steps need not wait for the next poll.</summary>
public sealed class JourneySignal : WakeSignal;

/// <summary>
/// Moves enrolments along: claims one due enrolment at a time (<c>FOR UPDATE SKIP LOCKED</c>, across tenants, so
/// several Marketing instances share the work), runs its steps until a wait or the end, and commits the steps, their
/// <see cref="JourneyStepExecuted"/> events and the actions' requests with the enrolment's new position in one
/// transaction. A crash before the commit leaves the enrolment due at the same step, and the retry derives the same
/// ids (the outbox's unique event id and the consumers' inboxes drop anything seen before). Timers are the
/// <c>due_at</c> column: a restart loses none. A step that keeps failing is retried with backoff, then given up.
/// </summary>
public sealed class JourneyRunner(
    IServiceScopeFactory scopes, TimeProvider clock, JourneySignal signal, IConfiguration configuration, ILogger<JourneyRunner> logger)
    : BackgroundService
{
    private const int BatchSize = 100;
    private const int MaxStepsPerRun = 60;
    private const int MaxAttempts = 8;

    private readonly ConcurrentDictionary<(Guid Journey, int Version), JourneyDefinition> _definitions = new();

    private TimeSpan PollInterval => configuration.GetValue<TimeSpan?>("Marketing:Journeys:PollInterval") ?? TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                await RunDueAsync(stoppingToken);
                wait = await UntilNextDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "The journey runner failed; retrying");
                wait = TimeSpan.FromSeconds(5);
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

    /// <summary>Runs every enrolment that is due now; returns how many were run.</summary>
    public async Task<int> RunDueAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < BatchSize * 10)
        {
            var ran = 0;
            for (; ran < BatchSize; ran++)
            {
                if (!await RunOneAsync(cancellationToken))
                {
                    break;
                }
            }
            total += ran;
            if (ran < BatchSize)
            {
                break;
            }
        }
        return total;
    }

    private async Task<TimeSpan> UntilNextDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MarketingDbContext>();
        var next = await db.JourneyEnrolments.IgnoreQueryFilters()
            .Where(e => e.Status == EnrolmentStatuses.Active && e.DueAt != null)
            .Join(db.Journeys.IgnoreQueryFilters().Where(j => j.Status == JourneyStatuses.Active), e => e.JourneyId, j => j.Id, (e, j) => e.DueAt)
            .MinAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        return next is null ? PollInterval
            : next.Value <= now ? TimeSpan.Zero
            : TimeSpan.FromTicks(Math.Min((next.Value - now).Ticks + TimeSpan.FromMilliseconds(20).Ticks, PollInterval.Ticks));
    }

    /// <summary>Claims one due enrolment and runs it; false when none is due.</summary>
    private async Task<bool> RunOneAsync(CancellationToken cancellationToken)
    {
        Guid claimed;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var tenant = scope.ServiceProvider.GetRequiredService<TenantContext>();
            var db = scope.ServiceProvider.GetRequiredService<MarketingDbContext>();
            var now = clock.GetUtcNow().UtcDateTime;
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var enrolment = await db.JourneyEnrolments.FromSql($"""
                SELECT e.* FROM journey_enrolments e JOIN journeys j ON j.id = e.journey_id AND j.status = 'active'
                WHERE e.status = 'active' AND e.due_at <= {now}
                ORDER BY e.due_at LIMIT 1 FOR UPDATE OF e SKIP LOCKED
                """).IgnoreQueryFilters().SingleOrDefaultAsync(cancellationToken);
            if (enrolment is null)
            {
                return false;
            }
            claimed = enrolment.Id;
            tenant.TenantId = enrolment.TenantId;
            tenant.ActorId = null;
            try
            {
                await AdvanceAsync(db, scope.ServiceProvider, enrolment, now, cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                scope.ServiceProvider.GetRequiredService<OutboxSignal>().Notify();
                // A send-email step may have queued a recipient: the campaign sender need not wait for its next poll.
                scope.ServiceProvider.GetRequiredService<CampaignSignal>().Notify();
                return true;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Journey enrolment {EnrolmentId} failed at step {Step}", enrolment.Id, enrolment.CurrentStep);
                await transaction.RollbackAsync(cancellationToken);
                await RecordFailureAsync(claimed, ex, cancellationToken);
                return true;
            }
        }
    }

    private async Task RecordFailureAsync(Guid enrolmentId, Exception error, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MarketingDbContext>();
        var enrolment = await db.JourneyEnrolments.IgnoreQueryFilters().SingleAsync(e => e.Id == enrolmentId, cancellationToken);
        scope.ServiceProvider.GetRequiredService<TenantContext>().TenantId = enrolment.TenantId;
        var now = clock.GetUtcNow().UtcDateTime;
        enrolment.Attempts++;
        enrolment.LastError = error.Message.Length > 2000 ? error.Message[..2000] : error.Message;
        if (enrolment.Attempts >= MaxAttempts)
        {
            enrolment.Status = EnrolmentStatuses.Failed;
            enrolment.FinishedAt = now;
            enrolment.DueAt = null;
        }
        else
        {
            enrolment.DueAt = now.AddSeconds(Math.Min(300, Math.Pow(2, enrolment.Attempts)));
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Runs the enrolment's steps from its current one until a wait, an exit or the end (tracked on <paramref name="db"/>; the caller saves).</summary>
    private async Task AdvanceAsync(MarketingDbContext db, IServiceProvider services, JourneyEnrolment enrolment, DateTime now, CancellationToken cancellationToken)
    {
        var journey = await db.Journeys.SingleAsync(j => j.Id == enrolment.JourneyId, cancellationToken);
        var definition = await DefinitionAsync(db, enrolment, services.GetRequiredService<JourneyActions>(), cancellationToken);
        for (var n = 0; n < MaxStepsPerRun; n++)
        {
            if (enrolment.CurrentStep is not { } stepId || !definition.Steps.TryGetValue(stepId, out var step))
            {
                Finish(enrolment, EnrolmentStatuses.Completed, null, now);
                return;
            }
            if (await ExitReasonAsync(db, definition, enrolment, now, cancellationToken) is { } reason)
            {
                Finish(enrolment, EnrolmentStatuses.Exited, reason, now);
                return;
            }
            var executionId = DerivedIds.From(enrolment.Id, step.Id);
            if (await db.JourneyStepExecutions.AnyAsync(x => x.Id == executionId, cancellationToken))
            {
                // A stay visits a step once and the step commits with the enrolment's move: this cannot happen unless
                // the row was changed by hand. Fail rather than run the step's actions a second time.
                throw new InvalidOperationException($"Step '{step.Id}' of enrolment {enrolment.Id} ran already; its enrolment row is behind.");
            }
            string outcome;
            string? detail = null;
            string? next;
            DateTime? dueAt = now;
            switch (step.Kind)
            {
                case StepKinds.Wait:
                    var until = step.Until ?? now + step.Duration!.Value;
                    (outcome, detail, next, dueAt) = ("waiting", $"until {until:O}", step.Next, until);
                    break;
                case StepKinds.Condition:
                    var yes = await JourneyRules.MatchesAsync(db, enrolment.PersonId, step.Rule!, now, cancellationToken);
                    (outcome, next) = yes ? ("yes", step.Yes) : ("no", step.No);
                    break;
                default:
                    var context = new JourneyActionContext(db, services, journey, enrolment, executionId, now) { StepId = step.Id };
                    (outcome, detail) = await step.Action!.RunAsync(context, step.Settings!, cancellationToken);
                    next = step.Next;
                    break;
            }
            enrolment.StepsExecuted++;
            db.JourneyStepExecutions.Add(new JourneyStepExecution
            {
                Id = executionId, EnrolmentId = enrolment.Id, Number = enrolment.StepsExecuted, StepId = step.Id, Kind = step.Kind, Outcome = outcome, Detail = detail, ExecutedAt = now,
            });
            db.AddEvent(new JourneyStepExecuted(executionId, now, enrolment.TenantId, enrolment.Id, enrolment.StepsExecuted,
                enrolment.JourneyId, enrolment.JourneyVersion, enrolment.PersonId, step.Id, step.Kind, outcome, now));
            enrolment.CurrentStep = next;
            enrolment.DueAt = dueAt;
            enrolment.Attempts = 0;
            enrolment.LastError = null;
            if (next is null)
            {
                Finish(enrolment, EnrolmentStatuses.Completed, null, now);
                return;
            }
            if (dueAt > now)
            {
                return;
            }
        }
    }

    private static void Finish(JourneyEnrolment enrolment, string status, string? reason, DateTime now)
    {
        enrolment.Status = status;
        enrolment.ExitReason = reason;
        enrolment.FinishedAt = now;
        enrolment.DueAt = null;
        enrolment.CurrentStep = null;
    }

    private static async Task<string?> ExitReasonAsync(
        MarketingDbContext db, JourneyDefinition definition, JourneyEnrolment enrolment, DateTime now, CancellationToken cancellationToken)
    {
        if (!await db.DirectoryContacts.AnyAsync(c => c.Id == enrolment.PersonId && c.Kind == ContactKind.Person && !c.IsDeleted, cancellationToken))
        {
            return "person-deleted";
        }
        if (definition.Exit.LeftSegment && definition.Trigger.RefId is { } segmentId
            && !await db.SegmentMemberships.AnyAsync(m => m.SegmentId == segmentId && m.PersonId == enrolment.PersonId && m.LeftAt == null, cancellationToken))
        {
            return "left-segment";
        }
        if (definition.Exit.Rule is { } rule && await JourneyRules.MatchesAsync(db, enrolment.PersonId, rule, now, cancellationToken))
        {
            return "exit-rule";
        }
        return null;
    }

    private async Task<JourneyDefinition> DefinitionAsync(MarketingDbContext db, JourneyEnrolment enrolment, JourneyActions actions, CancellationToken cancellationToken)
    {
        var key = (enrolment.JourneyId, enrolment.JourneyVersion);
        if (_definitions.TryGetValue(key, out var cached))
        {
            return cached;
        }
        var json = await db.JourneyVersions.Where(v => v.JourneyId == enrolment.JourneyId && v.Number == enrolment.JourneyVersion)
            .Select(v => v.Definition).SingleAsync(cancellationToken);
        using var document = JsonDocument.Parse(json);
        var errors = new FieldErrors();
        var definition = JourneyDefinition.Parse(document.RootElement, "definition", actions, errors)
            ?? throw new InvalidOperationException($"Journey {enrolment.JourneyId} version {enrolment.JourneyVersion} no longer parses: {string.Join("; ", errors.SelectMany(e => e.Value))}");
        // A version never changes: it can be kept.
        return _definitions.GetOrAdd(key, definition);
    }
}

/// <summary>Segment rules evaluated for one person, in one query over Marketing's copy of the contacts.</summary>
public static class JourneyRules
{
    public static async Task<bool> MatchesAsync(MarketingDbContext db, Guid personId, RuleNode rule, DateTime now, CancellationToken cancellationToken)
    {
        var sql = new SqlParameters();
        var tenant = sql.AddNamed("tenant", db.CurrentTenantId, NpgsqlDbType.Uuid);
        var person = sql.AddNamed("person", personId, NpgsqlDbType.Uuid);
        var condition = SegmentRules.Compile(rule, sql, now);
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var command = ((NpgsqlConnection)db.Database.GetDbConnection()).CreateCommand();
        command.CommandText = $"SELECT EXISTS (SELECT 1 FROM directory_contacts c WHERE c.tenant_id = {tenant} AND c.id = {person} AND NOT c.is_deleted AND {condition})";
        command.Transaction = (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction();
        command.Parameters.AddRange(sql.All.ToArray());
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
