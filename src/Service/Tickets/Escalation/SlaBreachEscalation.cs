using CrmPlatform.Contracts.Service.V1;
using CrmPlatform.Persistence.Mail;
using CrmPlatform.Service.Data;
using CrmPlatform.Service.Mail;
using CrmPlatform.Service.Routing;
using CrmPlatform.Service.Sla.Clocks;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Service.Tickets.Escalation;

/// <summary>
/// What a breach does to its ticket, in the sweep's claim transaction (so exactly once, with the event). The rule:
/// a ticket whose assignee is away, or that has none, goes to the least-loaded available member of its group (none
/// available: it is taken from the away assignee and waits in the group's queue); an available assignee keeps it (they
/// are working, and moving it would lose the context). Either way the group's manager is emailed (at the group's
/// manager address), and the escalation is recorded in <c>sla_escalations</c>; a reassignment is also in the ticket's assignment history with
/// the reason "SLA breach: …". Warnings only publish their event.
/// </summary>
public sealed class SlaBreachEscalation(TimeProvider time) : ISlaEscalation
{
    public const string Trigger = "sla-breach";

    public Task WarnedAsync(SlaWarning warning, ServiceDbContext db, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task BreachedAsync(SlaBreached breach, ServiceDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.Tickets.AnyAsync(t => t.Id == breach.AggregateId, cancellationToken))
        {
            return;
        }
        // SKIP LOCKED: the sweep holds clock rows, a ticket's writer may hold the ticket and wait for its clock; never wait here.
        var ticket = (await db.Tickets
            .FromSql($"SELECT * FROM tickets WHERE id = {breach.AggregateId} AND tenant_id = {db.CurrentTenantId} FOR UPDATE SKIP LOCKED")
            .ToListAsync(cancellationToken)).SingleOrDefault();
        var group = (ticket?.GroupId ?? breach.GroupId) is { } groupId
            ? await db.SupportGroups.AsNoTracking().SingleOrDefaultAsync(g => g.Id == groupId, cancellationToken)
            : null;
        var escalation = new TicketEscalation
        {
            // Explicit: one sweep batch spans tenants, and SaveChanges would stamp the last claim's.
            TenantId = breach.TenantId,
            TicketId = breach.AggregateId, Target = breach.Target, DueAt = breach.DueAt, PolicyId = breach.PolicyId, Priority = breach.Priority,
            GroupId = group?.Id, PreviousAssigneeId = ticket?.AssigneeId ?? breach.AssigneeId, ManagerId = group?.ManagerId, ManagerEmail = group?.ManagerEmail,
        };
        escalation.AssigneeId = escalation.PreviousAssigneeId;
        var breached = $"SLA breach: {breach.Target} was due {breach.DueAt:yyyy-MM-dd HH:mm}Z";
        if (ticket is null)
        {
            (escalation.Action, escalation.Reason) = (EscalationActions.Busy, $"{breached}; the ticket was being changed, so it stays where it is");
        }
        else
        {
            await ReassignAsync(db, ticket, group, escalation, breached, cancellationToken);
        }

        escalation.Notification = escalation.ManagerEmail is not null ? ManagerNotifications.Queued
            : escalation.ManagerId is not null ? ManagerNotifications.NoAddress : ManagerNotifications.NoManager;
        db.SlaEscalations.Add(escalation);
        if (escalation.ManagerEmail is { } manager)
        {
            await QueueManagerEmailAsync(db, escalation, manager, ticket, cancellationToken);
        }
    }

    /// <summary>The group manager's email, in the claim's transaction: the escalation and its email exist together or not at all.</summary>
    private async Task QueueManagerEmailAsync(ServiceDbContext db, TicketEscalation escalation, string manager, Ticket? locked, CancellationToken cancellationToken)
    {
        // Read without a lock when its writer holds it (then it was not loaded above).
        var ticket = locked ?? await db.Tickets.AsNoTracking().SingleAsync(t => t.Id == escalation.TicketId, cancellationToken);
        var subject = $"[#{ticket.Number}] SLA breach ({escalation.Target}): {ticket.Subject}";
        var text = $"Ticket #{ticket.Number} \"{ticket.Subject}\" ({escalation.Priority} priority) missed its {escalation.Target} target, "
            + $"due {escalation.DueAt:yyyy-MM-dd HH:mm} UTC.\r\n\r\nWhat was done: {escalation.Action}.\r\n{escalation.Reason}\r\n";
        var now = time.GetUtcNow().UtcDateTime;
        var email = OutgoingEmail.Create(manager, subject, text, htmlBody: null, now + TicketReplyEmail.Settings(db).ReplyLifetime, now,
            from: await TicketReplyEmail.SenderAsync(db, escalation.GroupId, cancellationToken));
        // Explicit, like the escalation's: the batch spans tenants.
        email.TenantId = escalation.TenantId;
        db.OutgoingEmails.Add(email);
    }

    private async Task ReassignAsync(ServiceDbContext db, Ticket ticket, SupportGroup? group, TicketEscalation escalation, string breached, CancellationToken cancellationToken)
    {
        var current = ticket.AssigneeId;
        var away = current is not null && await db.AgentProfiles.AnyAsync(a => a.UserId == current && a.Availability == Availabilities.Away, cancellationToken);
        if (current is not null && !away)
        {
            (escalation.Action, escalation.Reason) = (EscalationActions.Kept, $"{breached}; {current} is available and keeps it");
            return;
        }
        if (group is null)
        {
            (escalation.Action, escalation.Reason) = (EscalationActions.Kept, $"{breached}; {(current is null ? "unassigned" : $"{current} is away")} and in no group to reassign within");
            return;
        }
        var candidates = group.MemberIds.Where(m => m != current).ToList();
        var awayMembers = await db.AgentProfiles.AsNoTracking()
            .Where(a => candidates.Contains(a.UserId) && a.Availability == Availabilities.Away).Select(a => a.UserId).ToListAsync(cancellationToken);
        candidates.RemoveAll(awayMembers.Contains);
        var loads = await db.Tickets.AsNoTracking()
            .Where(t => candidates.Contains(t.AssigneeId!) && TicketStatuses.Unsolved.Contains(t.Status))
            .GroupBy(t => t.AssigneeId!).Select(g => new { Agent = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Agent, g => g.Count, cancellationToken);
        var chosen = candidates.Order(StringComparer.Ordinal).Select(a => (Agent: a, Load: loads.GetValueOrDefault(a))).OrderBy(l => l.Load).FirstOrDefault();
        var who = current is null ? "unassigned" : $"{current} is away";
        var reason = chosen.Agent is null
            ? $"{breached}; {who} and nobody in group {group.Name} is available: back to the group's queue"
            : $"{breached}; {who} → {chosen.Agent}, the least-loaded available member of group {group.Name} ({chosen.Load} unsolved tickets)";
        (escalation.Action, escalation.Reason, escalation.AssigneeId) =
            (chosen.Agent is null ? EscalationActions.Queued : EscalationActions.Reassigned, reason, chosen.Agent);
        if (chosen.Agent == current)
        {
            return;
        }
        TicketRouter.Record(db, ticket, null, group.Id, chosen.Agent, reason, Trigger);
        await new SlaClocks(db, time).AssignedAsync(ticket.Id, ticket.GroupId, ticket.AssigneeId, cancellationToken);
        db.Stamp();
        foreach (var integrationEvent in ticket.Changed(TicketsApi.ChangedFields(db, ticket), ticket.Status, db.Actor))
        {
            db.AddEvent(integrationEvent);
        }
    }
}
