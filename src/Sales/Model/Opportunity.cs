using CrmPlatform.Contracts;
using CrmPlatform.Contracts.Sales.V1;
using CrmPlatform.Persistence.Audit;
using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.Sales.Pipelines;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Sales.Model;

public sealed class Opportunity : AuditedEntity
{
    public const int NameMaxLength = 200;

    public string Name { get; set; } = "";
    public decimal Amount { get; set; }
    public string Currency { get; set; } = "";
    /// <summary>A person or organization from the contact directory.</summary>
    public Guid CustomerId { get; set; }
    public DateOnly? ExpectedCloseDate { get; set; }

    // Where the opportunity is in its pipeline changes only through Open and MoveTo, which keep the stage's rules,
    // the history and the events together.

    public Guid PipelineId { get; private set; }
    /// <summary>The key of a stage of the pipeline.</summary>
    public string Stage { get; private set; } = "";
    public DateTime StageEnteredAt { get; private set; }
    /// <summary>When it entered a won or lost stage; null while in an open stage.</summary>
    public DateTime? ClosedAt { get; private set; }
    public string? LostReason { get; private set; }
    public string? Competitor { get; private set; }

    public List<OpportunityStageChange> StageHistory { get; private set; } = [];

    // The forecast's hygiene facts, kept on the row by the database's triggers on activities, close_date_changes and
    // customer_commitments in the transaction that changes those (migration ForecastHygieneFacts), so that a roll-up
    // reads them from one index instead of aggregating three tables; the application never writes them.

    /// <summary>When the latest activity logged on it occurred; null without any.</summary>
    [AuditIgnored]
    public DateTime? LastActivityAt { get; private set; }
    /// <summary>How many times its expected close date was moved later.</summary>
    [AuditIgnored]
    public int CloseDatePushes { get; private set; }
    /// <summary>Whether it has a current customer commitment.</summary>
    [AuditIgnored]
    public bool HasCurrentCommitment { get; private set; }

    /// <summary>Whether Open or MoveTo put it in a stage since its events were last taken.</summary>
    public bool EnteredStage { get; private set; }

    /// <summary>Built when taken, after the DbContext has stamped the tenant and the version the events carry.</summary>
    private readonly List<Func<IIntegrationEvent>> _events = [];

    /// <summary>Puts a new opportunity in its first stage; the errors say what keeps it out (nothing changes then).</summary>
    public FieldErrors Open(Pipeline pipeline, PipelineStage stage, LossDetails loss, string actor, DateTime now)
    {
        now = Microseconds(now);
        var errors = Pipeline.CheckEntry(stage, this, loss);
        if (!errors.IsValid)
        {
            return errors;
        }
        Enter(pipeline, stage, loss, now);
        StageHistory.Add(new OpportunityStageChange
        {
            OpportunityId = Id, PipelineId = pipeline.Id, Stage = stage.Key, CreatedAt = now, ChangedBy = actor,
        });
        _events.Add(() => new OpportunityCreated(Guid.CreateVersion7(), UpdatedAt, TenantId, Id, Version, Snapshot(stage)));
        RaiseOutcome(stage);
        return errors;
    }

    /// <summary>
    /// Moves the opportunity to <paramref name="stage"/> of <paramref name="pipeline"/> (its own or another), if the
    /// stage's rules let it in; the errors say what is missing (nothing changes then). Staying where it is changes
    /// nothing but a lost stage's reason and competitor.
    /// </summary>
    public FieldErrors MoveTo(Pipeline pipeline, PipelineStage stage, LossDetails loss, string actor, DateTime now)
    {
        now = Microseconds(now);
        var errors = new FieldErrors();
        if (pipeline.Id == PipelineId && stage.Key == Stage)
        {
            if (stage.Kind == StageKind.Lost && loss.IsGiven)
            {
                errors = Pipeline.CheckEntry(stage, this, loss);
                if (errors.IsValid)
                {
                    (LostReason, Competitor) = Reasons(loss);
                }
            }
            return errors;
        }
        errors = Pipeline.CheckEntry(stage, this, loss);
        if (!errors.IsValid)
        {
            return errors;
        }

        var (fromPipeline, fromStage, fromEnteredAt) = (PipelineId, Stage, StageEnteredAt);
        Enter(pipeline, stage, loss, now);
        StageHistory.Add(new OpportunityStageChange
        {
            OpportunityId = Id, FromPipelineId = fromPipeline, FromStage = fromStage, PipelineId = pipeline.Id, Stage = stage.Key,
            CreatedAt = now, ChangedBy = actor, SecondsInPreviousStage = (long)Math.Max(0, (now - fromEnteredAt).TotalSeconds),
        });
        _events.Add(() => new OpportunityStageChanged(Guid.CreateVersion7(), UpdatedAt, TenantId, Id, Version,
            fromPipeline, fromStage, fromEnteredAt, actor, Snapshot(stage)));
        RaiseOutcome(stage);
        return errors;
    }

    /// <summary>GDPR erasure: the name and the lost reason are free text that may describe the customer; the figures stay.</summary>
    public void Anonymize(string placeholder)
    {
        Name = placeholder;
        LostReason = LostReason is null ? null : placeholder;
    }

    /// <summary>The events of the changes since the last call, for the outbox; call after the DbContext's Stamp.</summary>
    public IReadOnlyList<IIntegrationEvent> TakeEvents()
    {
        var events = _events.Select(build => build()).ToList();
        _events.Clear();
        EnteredStage = false;
        return events;
    }

    private void Enter(Pipeline pipeline, PipelineStage stage, LossDetails loss, DateTime now)
    {
        EnteredStage = true;
        PipelineId = pipeline.Id;
        Stage = stage.Key;
        StageEnteredAt = now;
        ClosedAt = stage.Kind == StageKind.Open ? null : now;
        (LostReason, Competitor) = stage.Kind == StageKind.Lost ? Reasons(loss) : (null, null);
    }

    /// <summary>The instant as PostgreSQL keeps it, so that events, the history and the API all show the same one.</summary>
    private static DateTime Microseconds(DateTime now) => now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));

    private static (string?, string?) Reasons(LossDetails loss) =>
        (loss.Reason?.Trim(), string.IsNullOrWhiteSpace(loss.Competitor) ? null : loss.Competitor.Trim());

    private void RaiseOutcome(PipelineStage stage)
    {
        if (stage.Kind == StageKind.Won)
        {
            _events.Add(() => new OpportunityWon(Guid.CreateVersion7(), UpdatedAt, TenantId, Id, Version, ClosedAt!.Value, Snapshot(stage)));
        }
        else if (stage.Kind == StageKind.Lost)
        {
            _events.Add(() => new OpportunityLost(Guid.CreateVersion7(), UpdatedAt, TenantId, Id, Version,
                ClosedAt!.Value, LostReason!, Competitor, Snapshot(stage)));
        }
    }

    private OpportunitySnapshot Snapshot(PipelineStage stage) =>
        new(Name, Amount, Currency, CustomerId, PipelineId, Stage, stage.Probability, ExpectedCloseDate, OwnerId);
}
