using CrmPlatform.Contracts.Service.V1;
using CrmPlatform.Persistence.Bulk;
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
/// manager address), and the escalation is recorded in <c>sla_escalations</c>; a reassignment is also in the ticket's
/// assignment history with the reason "SLA breach: …". Warnings only publish their event.
/// A batch of breaches costs the same few queries whatever its size (tickets, groups, who is away, loads, clocks,
/// senders), and the loads count the batch's own reassignments, so a thousand breaches in one group spread over its
/// members instead of all landing on whoever was least loaded before the sweep.
/// </summary>
public sealed class SlaBreachEscalation(TimeProvider time) : ISlaEscalation
{
    public const string Trigger = "sla-breach";

    public Task WarnedAsync(IReadOnlyList<SlaWarning> warnings, ServiceDbContext db, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task BreachedAsync(IReadOnlyList<SlaBreached> breaches, ServiceDbContext db, CancellationToken cancellationToken)
    {
        var ids = breaches.Select(b => b.AggregateId).Distinct().ToList();
        // A ticket deleted since has nothing left to escalate.
        var tickets = await db.Tickets.AsNoTracking().Where(t => ids.Contains(t.Id))
            .Select(t => new BreachedTicket(t.Id, t.Number, t.Subject, t.GroupId, t.AssigneeId)).ToDictionaryAsync(t => t.Id, cancellationToken);
        var staffing = await Staffing.LoadAsync(db, breaches, tickets, cancellationToken);
        // Only tickets that may move are locked; SKIP LOCKED: the sweep holds clock rows, a ticket's writer may hold the
        // ticket and wait for its clock, so never wait here.
        var movable = tickets.Values.Where(t => t.AssigneeId is null || staffing.IsAway(t.AssigneeId)).Select(t => t.Id).ToArray();
        var locked = movable.Length == 0 ? []
            : await db.Tickets.FromSql($"SELECT * FROM tickets WHERE id = ANY({movable}) AND tenant_id = {db.CurrentTenantId} FOR UPDATE SKIP LOCKED")
                .ToDictionaryAsync(t => t.Id, cancellationToken);

        var escalations = new List<(TicketEscalation Escalation, BreachedTicket Ticket)>();
        var reassigned = new List<(Ticket Ticket, SupportGroup Group, TicketEscalation Escalation)>();
        foreach (var breach in breaches)
        {
            if (tickets.GetValueOrDefault(breach.AggregateId) is not { } seen)
            {
                continue;
            }
            // The locked row is the latest; what was seen is for the tickets that stay where they are.
            var ticket = locked.GetValueOrDefault(seen.Id);
            var (groupId, assigneeId) = ticket is null ? (seen.GroupId, seen.AssigneeId) : (ticket.GroupId, ticket.AssigneeId);
            var group = staffing.GroupOf(groupId ?? breach.GroupId);
            var escalation = new TicketEscalation
            {
                // Explicit: the context's tenant is the batch's, but the sweep saves every tenant's batch in one SaveChanges.
                TenantId = breach.TenantId,
                TicketId = seen.Id, Target = breach.Target, DueAt = breach.DueAt, PolicyId = breach.PolicyId, Priority = breach.Priority,
                GroupId = group?.Id, PreviousAssigneeId = assigneeId ?? breach.AssigneeId,
                ManagerId = group?.ManagerId, ManagerEmail = group?.ManagerEmail,
            };
            escalation.AssigneeId = escalation.PreviousAssigneeId;
            var breached = $"SLA breach: {breach.Target} was due {breach.DueAt:yyyy-MM-dd HH:mm}Z";
            if (ticket is null && movable.Contains(seen.Id))
            {
                (escalation.Action, escalation.Reason) = (EscalationActions.Busy, $"{breached}; the ticket was being changed, so it stays where it is");
            }
            else if (Decide(assigneeId, group, escalation, breached, staffing) && ticket is not null && group is not null)
            {
                reassigned.Add((ticket, group, escalation));
            }
            escalation.Notification = escalation.ManagerEmail is not null ? ManagerNotifications.Queued
                : escalation.ManagerId is not null ? ManagerNotifications.NoAddress : ManagerNotifications.NoManager;
            db.SlaEscalations.Add(escalation);
            escalations.Add((escalation, seen));
        }

        await ReassignAsync(db, reassigned, cancellationToken);
        await QueueManagerEmailsAsync(db, escalations, staffing, cancellationToken);
        // As many as the batch has breaches: by COPY, like the sweep's events.
        await BulkInsert.WriteAddedAsync(db, [typeof(TicketEscalation)], time.GetUtcNow().UtcDateTime, cancellationToken);
    }

    /// <summary>What the escalation reads of every breached ticket, untracked: most keep their assignee and are not written.</summary>
    private sealed record BreachedTicket(Guid Id, long Number, string Subject, Guid? GroupId, string? AssigneeId);

    /// <summary>Who takes the ticket, said in the escalation; true when that is someone other than its assignee.</summary>
    private static bool Decide(string? current, SupportGroup? group, TicketEscalation escalation, string breached, Staffing staffing)
    {
        if (current is not null && !staffing.IsAway(current))
        {
            (escalation.Action, escalation.Reason) = (EscalationActions.Kept, $"{breached}; {current} is available and keeps it");
            return false;
        }
        if (group is null)
        {
            (escalation.Action, escalation.Reason) = (EscalationActions.Kept, $"{breached}; {(current is null ? "unassigned" : $"{current} is away")} and in no group to reassign within");
            return false;
        }
        var chosen = staffing.LeastLoaded(group, except: current);
        var who = current is null ? "unassigned" : $"{current} is away";
        var reason = chosen.Agent is null
            ? $"{breached}; {who} and nobody in group {group.Name} is available: back to the group's queue"
            : $"{breached}; {who} → {chosen.Agent}, the least-loaded available member of group {group.Name} ({chosen.Load} unsolved tickets)";
        (escalation.Action, escalation.Reason, escalation.AssigneeId) =
            (chosen.Agent is null ? EscalationActions.Queued : EscalationActions.Reassigned, reason, chosen.Agent);
        if (chosen.Agent is not null)
        {
            staffing.Took(chosen.Agent);
        }
        return chosen.Agent != current;
    }

    private async Task ReassignAsync(ServiceDbContext db, List<(Ticket Ticket, SupportGroup Group, TicketEscalation Escalation)> reassigned, CancellationToken cancellationToken)
    {
        if (reassigned.Count == 0)
        {
            return;
        }
        foreach (var (ticket, group, escalation) in reassigned)
        {
            TicketRouter.Record(db, ticket, null, group.Id, escalation.AssigneeId, escalation.Reason, Trigger);
        }
        await new SlaClocks(db, time).AssignedAsync([.. reassigned.Select(r => (r.Ticket.Id, r.Ticket.GroupId, r.Ticket.AssigneeId))], cancellationToken);
        // Once for the batch: stamping detects changes over the whole context.
        db.Stamp();
        foreach (var (ticket, _, _) in reassigned)
        {
            foreach (var integrationEvent in ticket.Changed(TicketsApi.ChangedFields(db.Entry(ticket)), ticket.Status, db.Actor))
            {
                db.AddEvent(integrationEvent);
            }
        }
    }

    /// <summary>
    /// The group managers' emails, in the claim's transaction: an escalation and its email exist together or not at
    /// all. One email per manager and group for the whole batch: a manager whose group breached two hundred tickets at
    /// once (after an outage, say) gets one list of them, not two hundred messages.
    /// </summary>
    private async Task QueueManagerEmailsAsync(
        ServiceDbContext db, List<(TicketEscalation Escalation, BreachedTicket Ticket)> escalations, Staffing staffing, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var expires = now + TicketReplyEmail.Settings(db).ReplyLifetime;
        foreach (var digest in escalations.Where(e => e.Escalation.ManagerEmail is not null).GroupBy(e => (e.Escalation.GroupId, e.Escalation.ManagerEmail)))
        {
            var breached = digest.ToList();
            var (first, ticket) = breached[0];
            var subject = breached.Count == 1
                ? $"[#{ticket.Number}] SLA breach ({first.Target}): {ticket.Subject}"
                : $"SLA breaches in group {staffing.GroupOf(first.GroupId)?.Name}: {breached.Count} tickets";
            var text = string.Join("\r\n", breached.Select(e => $"Ticket #{e.Ticket.Number} \"{e.Ticket.Subject}\" ({e.Escalation.Priority} priority) "
                + $"missed its {e.Escalation.Target} target, due {e.Escalation.DueAt:yyyy-MM-dd HH:mm} UTC.\r\n\r\n"
                + $"What was done: {e.Escalation.Action}.\r\n{e.Escalation.Reason}\r\n"));
            var email = OutgoingEmail.Create(digest.Key.ManagerEmail!, subject, text, htmlBody: null, expires, now,
                from: await TicketReplyEmail.SenderAsync(db, first.GroupId, cancellationToken));
            // Explicit, like the escalation's: the sweep saves every tenant's batch in one SaveChanges.
            email.TenantId = first.TenantId;
            db.OutgoingEmails.Add(email);
        }
    }

    /// <summary>The groups of a batch's tickets, who of their members and assignees is away, and the members' loads.</summary>
    private sealed class Staffing(Dictionary<Guid, SupportGroup> groups, HashSet<string> away, Dictionary<string, int> loads)
    {
        public static async Task<Staffing> LoadAsync(
            ServiceDbContext db, IReadOnlyList<SlaBreached> breaches, Dictionary<Guid, BreachedTicket> tickets, CancellationToken cancellationToken)
        {
            var groupIds = breaches.Select(b => tickets.GetValueOrDefault(b.AggregateId)?.GroupId ?? b.GroupId).OfType<Guid>().Distinct().ToList();
            var groups = await db.SupportGroups.AsNoTracking().Where(g => groupIds.Contains(g.Id)).ToDictionaryAsync(g => g.Id, cancellationToken);
            var members = groups.Values.SelectMany(g => g.MemberIds).Distinct().ToList();
            var people = members.Concat(tickets.Values.Select(t => t.AssigneeId).OfType<string>()).Distinct().ToList();
            var away = (await db.AgentProfiles.AsNoTracking()
                .Where(a => people.Contains(a.UserId) && a.Availability == Availabilities.Away).Select(a => a.UserId)
                .ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
            var available = members.Where(m => !away.Contains(m)).ToList();
            var loads = await db.Tickets.AsNoTracking()
                .Where(t => available.Contains(t.AssigneeId!) && TicketStatuses.Unsolved.Contains(t.Status))
                .GroupBy(t => t.AssigneeId!).Select(g => new { Agent = g.Key, Count = g.Count() })
                .ToDictionaryAsync(g => g.Agent, g => g.Count, StringComparer.Ordinal, cancellationToken);
            return new Staffing(groups, away, loads);
        }

        public SupportGroup? GroupOf(Guid? groupId) => groupId is { } id ? groups.GetValueOrDefault(id) : null;

        public bool IsAway(string agent) => away.Contains(agent);

        /// <summary>The group's available member with the fewest unsolved tickets (ties: by id, so the choice is stable).</summary>
        public (string? Agent, int Load) LeastLoaded(SupportGroup group, string? except) => group.MemberIds
            .Where(m => m != except && !away.Contains(m)).Distinct().Order(StringComparer.Ordinal)
            .Select(m => ((string?)m, loads.GetValueOrDefault(m))).OrderBy(l => l.Item2).FirstOrDefault();

        public void Took(string agent) => loads[agent] = loads.GetValueOrDefault(agent) + 1;
    }
}
