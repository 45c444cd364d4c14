using CrmPlatform.Contracts.Service.V1;
using CrmPlatform.Service.Data;
using CrmPlatform.Service.Sla.Calendars;
using CrmPlatform.Service.Sla.Entitlements;
using CrmPlatform.Service.Sla.Policies;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Service.Sla.Clocks;

/// <summary>
/// What tickets call when a ticket changes, inside their own transaction on the same <see cref="ServiceDbContext"/>:
/// each method changes the tracked clock (and may queue <c>SlaBreached</c> in the outbox) and leaves
/// <c>SaveChanges</c> and the commit to the caller, so the ticket's change and its clock's commit together. The clock
/// row is locked (<c>FOR UPDATE</c>) when read, so the sweep and a concurrent change of the same ticket take turns.
/// Methods on a ticket without a clock (no policy applied when it was created) do nothing.
/// </summary>
public sealed class SlaClocks(ServiceDbContext db, TimeProvider time)
{
    /// <summary>
    /// Starts the clock of a new ticket under the policy that applies (<see cref="PolicyResolution"/>); null when the
    /// tenant has no policy at all. Starting a ticket that already has a clock returns that clock unchanged.
    /// </summary>
    public async Task<TicketSla?> StartAsync(Guid ticketId, string priority, Guid? organizationId, DateTime createdAt, CancellationToken cancellationToken)
    {
        if (await LoadAsync(ticketId, cancellationToken) is { } existing)
        {
            return existing;
        }
        var choice = await PolicyResolution.ResolveAsync(db, organizationId, createdAt, cancellationToken);
        if (choice.Policy is null)
        {
            return null;
        }
        var calendar = await CalendarOfAsync(choice.Policy, cancellationToken);
        var sla = TicketSla.Start(ticketId, priority, organizationId, createdAt, choice.Policy, choice.Contract?.Id,
            calendar.Id == Guid.Empty ? null : calendar.Id, calendar.Clock());
        db.TicketSlas.Add(sla);
        return sla;
    }

    /// <summary>The ticket went pending or on hold.</summary>
    public Task PauseAsync(Guid ticketId, DateTime at, CancellationToken cancellationToken) =>
        ChangeAsync(ticketId, (sla, clock) => sla.Pause(at, clock), cancellationToken);

    /// <summary>The ticket is open again (from pending or on hold).</summary>
    public Task ResumeAsync(Guid ticketId, DateTime at, CancellationToken cancellationToken) =>
        ChangeAsync(ticketId, (sla, clock) => sla.Resume(at, clock), cancellationToken);

    /// <summary>An agent's first public reply.</summary>
    public Task FirstResponseAsync(Guid ticketId, DateTime at, CancellationToken cancellationToken) =>
        ChangeAsync(ticketId, (sla, clock) =>
        {
            if (sla.RespondedAt(at, clock))
            {
                Breached(sla, sla.FirstResponse, TicketSla.FirstResponseTarget);
            }
        }, cancellationToken);

    /// <summary>The ticket was solved.</summary>
    public Task ResolveAsync(Guid ticketId, DateTime at, CancellationToken cancellationToken) =>
        ChangeAsync(ticketId, (sla, clock) =>
        {
            var (firstLate, resolutionLate) = sla.ResolvedAt(at, clock);
            if (firstLate)
            {
                Breached(sla, sla.FirstResponse, TicketSla.FirstResponseTarget);
            }
            if (resolutionLate)
            {
                Breached(sla, sla.Resolution, TicketSla.ResolutionTarget);
            }
        }, cancellationToken);

    /// <summary>A solved ticket was reopened.</summary>
    public Task ReopenAsync(Guid ticketId, DateTime at, CancellationToken cancellationToken) =>
        ChangeAsync(ticketId, (sla, clock) => sla.Reopen(at, clock), cancellationToken);

    /// <summary>The ticket's priority changed: open targets follow the clock's policy's targets for it.</summary>
    public async Task PriorityChangedAsync(Guid ticketId, string priority, DateTime at, CancellationToken cancellationToken)
    {
        if (await LoadAsync(ticketId, cancellationToken) is not { } sla || sla.Priority == priority)
        {
            return;
        }
        var policy = await db.SlaPolicies.AsNoTracking().SingleOrDefaultAsync(p => p.Id == sla.PolicyId, cancellationToken);
        if (policy?.TargetFor(priority) is null)
        {
            // The policy was deleted since the ticket started: its targets stay as they were.
            sla.Priority = priority;
            return;
        }
        sla.ChangePriority(priority, policy, at, await ClockOfAsync(sla, cancellationToken));
    }

    /// <summary>The ticket's group or assignee changed: kept for the events escalation reads.</summary>
    public async Task AssignedAsync(Guid ticketId, Guid? groupId, string? assigneeId, CancellationToken cancellationToken)
    {
        if (await LoadAsync(ticketId, cancellationToken) is { } sla)
        {
            sla.GroupId = groupId;
            sla.AssigneeId = assigneeId;
        }
    }

    /// <summary>
    /// Many tickets reassigned at once by the sweep's escalation, in one query. Their clock rows are already locked:
    /// the sweep's claim updated them in this transaction.
    /// </summary>
    public async Task AssignedAsync(IReadOnlyCollection<(Guid TicketId, Guid? GroupId, string? AssigneeId)> assignments, CancellationToken cancellationToken)
    {
        var ids = assignments.Select(a => a.TicketId).ToList();
        var clocks = await db.TicketSlas.Where(s => ids.Contains(s.Id)).ToDictionaryAsync(s => s.Id, cancellationToken);
        foreach (var (ticketId, groupId, assigneeId) in assignments)
        {
            if (clocks.GetValueOrDefault(ticketId) is { } sla)
            {
                sla.GroupId = groupId;
                sla.AssigneeId = assigneeId;
            }
        }
    }

    /// <summary>The ticket's SLA as its response embeds it; null without a clock.</summary>
    public async Task<SlaView?> ViewAsync(Guid ticketId, CancellationToken cancellationToken)
    {
        var sla = await db.TicketSlas.AsNoTracking().SingleOrDefaultAsync(s => s.Id == ticketId, cancellationToken);
        return sla is null ? null : SlaView.Of(sla, await ClockOfAsync(sla, cancellationToken), time.GetUtcNow().UtcDateTime);
    }

    /// <summary>
    /// The SLAs of a page of tickets in two queries (their clocks, then the calendars those run on): a list never asks
    /// per ticket. Tickets without a clock are absent.
    /// </summary>
    public async Task<Dictionary<Guid, SlaView>> ViewsAsync(IReadOnlyCollection<Guid> ticketIds, CancellationToken cancellationToken)
    {
        if (ticketIds.Count == 0)
        {
            return [];
        }
        var slas = await db.TicketSlas.AsNoTracking().Where(s => ticketIds.Contains(s.Id)).ToListAsync(cancellationToken);
        var calendarIds = slas.Where(s => s.CalendarId is not null).Select(s => s.CalendarId!.Value).Distinct().ToList();
        var calendars = await db.BusinessCalendars.AsNoTracking().Where(c => calendarIds.Contains(c.Id) || c.IsDefault).ToListAsync(cancellationToken);
        var fallback = (calendars.FirstOrDefault(c => c.IsDefault) ?? BusinessCalendar.AroundTheClock()).Clock();
        var clocks = calendars.ToDictionary(c => c.Id, c => c.Clock());
        var now = time.GetUtcNow().UtcDateTime;
        return slas.ToDictionary(s => s.Id, s => SlaView.Of(s, s.CalendarId is { } id && clocks.TryGetValue(id, out var clock) ? clock : fallback, now));
    }

    private async Task ChangeAsync(Guid ticketId, Action<TicketSla, BusinessClock> change, CancellationToken cancellationToken)
    {
        if (await LoadAsync(ticketId, cancellationToken) is { } sla)
        {
            change(sla, await ClockOfAsync(sla, cancellationToken));
        }
    }

    private async Task<TicketSla?> LoadAsync(Guid ticketId, CancellationToken cancellationToken) =>
        db.TicketSlas.Local.FirstOrDefault(s => s.Id == ticketId)
        ?? (await db.TicketSlas
            .FromSql($"SELECT * FROM ticket_slas WHERE id = {ticketId} AND tenant_id = {db.CurrentTenantId} FOR UPDATE")
            .ToListAsync(cancellationToken)).SingleOrDefault();

    /// <summary>The clock's calendar as it is now; deleted since, the tenant's default, else around the clock.</summary>
    private async Task<BusinessClock> ClockOfAsync(TicketSla sla, CancellationToken cancellationToken) =>
        (await db.BusinessCalendars.AsNoTracking().SingleOrDefaultAsync(c => c.Id == sla.CalendarId, cancellationToken)
            ?? await db.BusinessCalendars.AsNoTracking().SingleOrDefaultAsync(c => c.IsDefault, cancellationToken)
            ?? BusinessCalendar.AroundTheClock()).Clock();

    private async Task<BusinessCalendar> CalendarOfAsync(SlaPolicy policy, CancellationToken cancellationToken) =>
        (policy.CalendarId is { } id ? await db.BusinessCalendars.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, cancellationToken) : null)
        ?? await db.BusinessCalendars.AsNoTracking().SingleOrDefaultAsync(c => c.IsDefault, cancellationToken)
        ?? new BusinessCalendar { Id = Guid.Empty, TimeZone = "UTC", WorkingHours = BusinessCalendar.AroundTheClock().WorkingHours };

    /// <summary>A reply or solution after the due instant: the breach the sweep did not get to publish, in the caller's transaction.</summary>
    private void Breached(TicketSla sla, SlaTargetClock target, string name) =>
        db.AddEvent(new SlaBreached(Guid.NewGuid(), time.GetUtcNow().UtcDateTime, sla.TenantId == Guid.Empty ? db.CurrentTenantId : sla.TenantId,
            sla.Id, sla.Version + 1, name, sla.PolicyId, sla.Priority, target.DueAt ?? target.MetAt!.Value, target.MetAt, sla.OrganizationId, sla.GroupId, sla.AssigneeId));
}
