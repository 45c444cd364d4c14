using CrmPlatform.Service.Sla.Calendars;

namespace CrmPlatform.Service.Sla.Clocks;

/// <summary>
/// A ticket's SLA as a ticket response shows it: per target the due instant, the business time left and a status
/// (<c>running</c>, <c>paused</c>, <c>met</c>, <c>breached</c>). Computed, never stored: remaining business time
/// depends on the moment of asking.
/// </summary>
public sealed record SlaView(Guid PolicyId, string Priority, bool Paused, DateTime? PausedSince, SlaTargetView FirstResponse, SlaTargetView Resolution)
{
    public const string Running = "running";
    public const string PausedStatus = "paused";
    public const string Met = "met";
    public const string Breached = "breached";

    public static SlaView Of(TicketSla sla, BusinessClock clock, DateTime now) => new(
        sla.PolicyId, sla.Priority, sla.PausedSince is not null, sla.PausedSince,
        Target(sla, sla.FirstResponse, clock, now), Target(sla, sla.Resolution, clock, now));

    private static SlaTargetView Target(TicketSla sla, SlaTargetClock target, BusinessClock clock, DateTime now)
    {
        var used = target.UsedSeconds + (target.MetAt is null && sla.RunningSince is { } since ? (long)clock.Elapsed(since, now).TotalSeconds : 0);
        var remaining = target.TargetSeconds - used;
        var breached = target.BreachedAt is not null || remaining < 0 || (target.MetAt is null && target.DueAt <= now);
        var status = breached ? Breached : target.MetAt is not null ? Met : sla.PausedSince is not null ? PausedStatus : Running;
        return new SlaTargetView(status, target.TargetSeconds, used, Math.Max(0, remaining), target.DueAt, target.WarnAt, target.WarnedAt is not null, target.MetAt, target.BreachedAt);
    }
}

/// <param name="Status">running, paused, met (in time) or breached (due passed, or met late).</param>
/// <param name="TargetSeconds">The target in business seconds.</param>
/// <param name="UsedSeconds">Business seconds used so far (until met).</param>
/// <param name="RemainingSeconds">Business seconds left (0 once used up).</param>
/// <param name="DueAt">When the target runs out if the clock keeps running (null while paused: it depends on when work resumes).</param>
public sealed record SlaTargetView(
    string Status, int TargetSeconds, long UsedSeconds, long RemainingSeconds, DateTime? DueAt, DateTime? WarnAt, bool Warned, DateTime? MetAt, DateTime? BreachedAt);
