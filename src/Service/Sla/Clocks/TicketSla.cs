using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.Service.Sla.Calendars;
using CrmPlatform.Service.Sla.Policies;

namespace CrmPlatform.Service.Sla.Clocks;

/// <summary>
/// A ticket's SLA clock (table <c>ticket_slas</c>, keyed by the ticket's id): the policy it runs under, and per target
/// (first response, resolution) the business time used and the precomputed due and warning instants. Precomputing
/// them when the clock changes (start, pause, resume, priority) is what lets the sweep find what is due with an
/// indexed range query instead of doing calendar arithmetic on every open ticket.
/// </summary>
public sealed class TicketSla : Entity
{
    public const string FirstResponseTarget = "first-response";
    public const string ResolutionTarget = "resolution";

    public string Priority { get; set; } = SlaPriorities.Normal;
    public Guid? OrganizationId { get; set; }
    public Guid PolicyId { get; set; }
    public Guid? ContractId { get; set; }
    /// <summary>The calendar the clock runs on; null: around the clock (the tenant had no calendar when it started).</summary>
    public Guid? CalendarId { get; set; }
    public int WarningPercent { get; set; }
    /// <summary>Who works the ticket, as tickets last said: carried by the events so escalation knows whom to reach.</summary>
    public Guid? GroupId { get; set; }
    public string? AssigneeId { get; set; }

    /// <summary>Since when business time counts for the targets not yet met; null while paused or once both are met.</summary>
    public DateTime? RunningSince { get; set; }
    /// <summary>Since when the ticket waits for the customer or a third party (pending, on hold); the clock stands still.</summary>
    public DateTime? PausedSince { get; set; }

    public SlaTargetClock FirstResponse { get; set; } = new();
    public SlaTargetClock Resolution { get; set; } = new();

    public IEnumerable<(string Name, SlaTargetClock Clock)> Targets => [(FirstResponseTarget, FirstResponse), (ResolutionTarget, Resolution)];

    public static TicketSla Start(Guid ticketId, string priority, Guid? organizationId, DateTime createdAt, SlaPolicy policy, Guid? contractId,
        Guid? calendarId, BusinessClock clock)
    {
        var sla = new TicketSla
        {
            Id = ticketId, Priority = priority, OrganizationId = organizationId, PolicyId = policy.Id, ContractId = contractId,
            CalendarId = calendarId, WarningPercent = policy.WarningPercent, RunningSince = createdAt,
        };
        sla.SetTargets(policy.TargetFor(priority) ?? throw new ArgumentException($"The policy has no targets for priority '{priority}'.", nameof(priority)));
        sla.Arm(createdAt, clock);
        return sla;
    }

    /// <summary>Pending or on hold: what was used so far is kept, due and warning instants go until the clock runs again.</summary>
    public void Pause(DateTime at, BusinessClock clock)
    {
        if (PausedSince is not null)
        {
            return;
        }
        Accrue(at, clock);
        RunningSince = null;
        PausedSince = at;
        foreach (var (_, target) in Targets.Where(t => t.Clock.MetAt is null))
        {
            target.DueAt = null;
            target.WarnAt = null;
        }
    }

    /// <summary>Back to work: due and warning instants are recomputed from the business time that remains.</summary>
    public void Resume(DateTime at, BusinessClock clock)
    {
        if (PausedSince is null)
        {
            return;
        }
        PausedSince = null;
        RunningSince = Targets.Any(t => t.Clock.MetAt is null) ? at : null;
        Arm(at, clock);
    }

    /// <summary>Records the first public reply; true when it came after the due instant and no breach was recorded yet (the caller publishes it).</summary>
    public bool RespondedAt(DateTime at, BusinessClock clock) => Meet(FirstResponse, at, clock);

    /// <summary>Solved: the resolution target is met, and so is the first response if nobody replied before.</summary>
    public (bool FirstResponseLate, bool ResolutionLate) ResolvedAt(DateTime at, BusinessClock clock)
    {
        var firstLate = Meet(FirstResponse, at, clock);
        var resolutionLate = Meet(Resolution, at, clock);
        RunningSince = null;
        PausedSince = null;
        return (firstLate, resolutionLate);
    }

    /// <summary>A solved ticket reopened: the resolution clock runs again with the business time it had left.</summary>
    public void Reopen(DateTime at, BusinessClock clock)
    {
        if (Resolution.MetAt is null)
        {
            return;
        }
        Resolution.MetAt = null;
        PausedSince = null;
        RunningSince = at;
        Arm(at, clock);
    }

    /// <summary>The targets not yet met follow the new priority's; business time already used counts against them.</summary>
    public void ChangePriority(string priority, SlaPolicy policy, DateTime at, BusinessClock clock)
    {
        Accrue(at, clock);
        Priority = priority;
        WarningPercent = policy.WarningPercent;
        SetTargets(policy.TargetFor(priority) ?? throw new ArgumentException($"The policy has no targets for priority '{priority}'.", nameof(priority)));
        if (RunningSince is not null)
        {
            RunningSince = at;
            Arm(at, clock);
        }
    }

    private void SetTargets(SlaTarget target)
    {
        if (FirstResponse.MetAt is null)
        {
            FirstResponse.TargetSeconds = target.FirstResponseMinutes * 60;
        }
        if (Resolution.MetAt is null)
        {
            Resolution.TargetSeconds = target.ResolutionMinutes * 60;
        }
    }

    private bool Meet(SlaTargetClock target, DateTime at, BusinessClock clock)
    {
        if (target.MetAt is not null)
        {
            return false;
        }
        if (RunningSince is { } since)
        {
            target.UsedSeconds += (long)clock.Elapsed(since, at).TotalSeconds;
        }
        target.MetAt = at;
        var late = target.UsedSeconds > target.TargetSeconds || (target.DueAt is { } due && at > due);
        if (late && target.BreachedAt is null)
        {
            target.BreachedAt = at;
            return true;
        }
        return false;
    }

    /// <summary>Moves the business time since <see cref="RunningSince"/> into each open target's used time.</summary>
    private void Accrue(DateTime at, BusinessClock clock)
    {
        if (RunningSince is not { } since)
        {
            return;
        }
        var used = (long)clock.Elapsed(since, at).TotalSeconds;
        foreach (var (_, target) in Targets.Where(t => t.Clock.MetAt is null))
        {
            target.UsedSeconds += used;
        }
        RunningSince = at;
    }

    /// <summary>
    /// Due and warning instants of the open targets from <see cref="RunningSince"/> and the time they have left. A
    /// warning moved into the future is armed again; a breach stays recorded (it happened).
    /// </summary>
    private void Arm(DateTime at, BusinessClock clock)
    {
        if (RunningSince is not { } since)
        {
            return;
        }
        foreach (var (_, target) in Targets.Where(t => t.Clock.MetAt is null))
        {
            var warnAfter = (long)Math.Ceiling(target.TargetSeconds * WarningPercent / 100.0);
            target.DueAt = clock.Add(since, TimeSpan.FromSeconds(Math.Max(0, target.TargetSeconds - target.UsedSeconds)));
            target.WarnAt = clock.Add(since, TimeSpan.FromSeconds(Math.Max(0, warnAfter - target.UsedSeconds)));
            if (target.WarnedAt is not null && target.WarnAt > at)
            {
                target.WarnedAt = null;
            }
        }
    }
}

/// <summary>One target of a ticket's clock (columns <c>{target}_…</c> of <c>ticket_slas</c>).</summary>
public sealed class SlaTargetClock
{
    public int TargetSeconds { get; set; }
    /// <summary>Business seconds used up to <see cref="TicketSla.RunningSince"/> (or up to the pause or the moment it was met).</summary>
    public long UsedSeconds { get; set; }
    public DateTime? DueAt { get; set; }
    public DateTime? WarnAt { get; set; }
    public DateTime? MetAt { get; set; }
    /// <summary>When the sweep published <c>SlaWarning</c> for this target (null: not yet, or armed again).</summary>
    public DateTime? WarnedAt { get; set; }
    /// <summary>When the breach was published, by the sweep or by a late reply or solve.</summary>
    public DateTime? BreachedAt { get; set; }
}
