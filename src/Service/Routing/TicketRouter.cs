using CrmPlatform.Persistence;
using CrmPlatform.Service.Data;
using CrmPlatform.Service.Tickets;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Service.Routing;

/// <summary>
/// Applies a tenant's routing rules to a ticket: the first active rule it matches names the group, whose available
/// members with the rule's skills share the tickets by round robin or least load. The group, agent, rule and reason
/// are set on the ticket and a history row is added; the caller saves them with the ticket, inside the transaction it
/// opened (least-loaded holds a lock until that commit).
/// </summary>
public static class TicketRouter
{
    public const string OnCreation = "creation";
    public const string OnDemand = "on-demand";
    public const string Manual = "manual";

    /// <summary>The assignment made (also added to the DbContext), or null when no active rule matched (nothing changes).</summary>
    public static async Task<TicketAssignment?> RouteAsync(ServiceDbContext db, Ticket ticket, string trigger, CancellationToken cancellationToken)
    {
        var rules = await db.RoutingRules.AsNoTracking().Where(r => r.IsActive)
            .OrderBy(r => r.Position).ThenBy(r => r.CreatedAt).ThenBy(r => r.Id).ToListAsync(cancellationToken);
        foreach (var rule in rules)
        {
            if (rule.Match(ticket) is not { } criteria)
            {
                continue;
            }
            var group = await db.SupportGroups.AsNoTracking().SingleOrDefaultAsync(g => g.Id == rule.TargetGroupId, cancellationToken);
            if (group is null)
            {
                continue;
            }
            var (eligible, left) = await EligibleAsync(db, group, rule, ticket, cancellationToken);
            var (assignee, how) = eligible.Count == 0
                ? (null, $"no member available with the skills ({left}); queued in the group")
                : rule.Method == RoutingMethods.LeastLoaded
                    ? await LeastLoadedAsync(db, eligible, cancellationToken)
                    : await RoundRobinAsync(db, rule, eligible, cancellationToken);
            return Record(db, ticket, rule.Id, group.Id, assignee, $"rule '{rule.Name}': {criteria} → group {group.Name}, {how}", trigger);
        }
        return null;
    }

    /// <summary>An assignment someone made by hand (or at creation): recorded with the same history as the rules'.</summary>
    public static TicketAssignment Record(ServiceDbContext db, Ticket ticket, Guid? ruleId, Guid? groupId, string? assignee, string reason, string trigger)
    {
        var assignment = new TicketAssignment
        {
            TicketId = ticket.Id,
            RuleId = ruleId,
            GroupId = groupId,
            AssigneeId = assignee,
            PreviousAssigneeId = ticket.AssigneeId,
            Reason = reason,
            Trigger = trigger,
            AssignedBy = db.Actor,
        };
        ticket.AssigneeId = assignee;
        ticket.GroupId = groupId;
        ticket.AssignedByRuleId = ruleId;
        ticket.AssignmentReason = reason;
        db.TicketAssignments.Add(assignment);
        return assignment;
    }

    /// <summary>The group's members who are available and have the skills the rule requires for this ticket, in a stable order.</summary>
    private static async Task<(List<string> Eligible, string Why)> EligibleAsync(
        ServiceDbContext db, SupportGroup group, RoutingRule rule, Ticket ticket, CancellationToken cancellationToken)
    {
        var members = group.MemberIds.Distinct().Order(StringComparer.Ordinal).ToList();
        var profiles = await db.AgentProfiles.AsNoTracking().Where(a => members.Contains(a.UserId)).ToDictionaryAsync(a => a.UserId, cancellationToken);
        var required = new List<(string Skill, string Value)>();
        foreach (var skill in rule.RequiredSkills)
        {
            var value = skill switch
            {
                Skills.Language => RoutingRule.LanguageOf(ticket.Language),
                Skills.Product => ticket.Product?.ToLowerInvariant(),
                _ => ticket.Topic?.ToLowerInvariant(),
            };
            if (value is not null)
            {
                required.Add((skill, value));
            }
        }
        var eligible = members.Where(member =>
        {
            var profile = profiles.GetValueOrDefault(member);
            if (profile is { Availability: not Availabilities.Available })
            {
                return false;
            }
            return required.All(r => profile is not null && (r.Skill switch
            {
                Skills.Language => profile.Languages,
                Skills.Product => profile.Products,
                _ => profile.Topics,
            }).Contains(r.Value));
        }).ToList();
        var needs = required.Count == 0 ? "available" : "available, " + string.Join(", ", required.Select(r => $"{r.Skill} {r.Value}"));
        return (eligible, $"{needs}: {eligible.Count} of {members.Count} members");
    }

    /// <summary>
    /// Takes the rule's next turn with one atomic increment: concurrent tickets are serialized on the rule's row and
    /// each gets its own turn, so n tickets over k eligible agents give each n/k (±1).
    /// </summary>
    private static async Task<(string?, string)> RoundRobinAsync(ServiceDbContext db, RoutingRule rule, List<string> eligible, CancellationToken cancellationToken)
    {
        var turn = (await db.Database.SqlQuery<long>(
                $"UPDATE routing_rules SET round_robin_turns = round_robin_turns + 1 WHERE id = {rule.Id} AND tenant_id = {db.CurrentTenantId} RETURNING round_robin_turns AS \"Value\"")
            .ToListAsync(cancellationToken)).Single();
        var chosen = eligible[(int)((turn - 1) % eligible.Count)];
        return (chosen, $"round robin among {eligible.Count} available members: {chosen} (turn {turn})");
    }

    /// <summary>
    /// The eligible agent with the fewest unsolved tickets (ties: the first by id). A transaction-scoped lock per tenant
    /// makes concurrent least-loaded choices take turns: each counts after the previous one's ticket has committed, so
    /// two tickets cannot both go to the agent who was least loaded before either.
    /// </summary>
    private static async Task<(string?, string)> LeastLoadedAsync(ServiceDbContext db, List<string> eligible, CancellationToken cancellationToken)
    {
        var lockKey = $"ticket-routing:{db.CurrentTenantId}";
        await db.LockForTransactionAsync(lockKey, cancellationToken);
        var loads = await db.Tickets.AsNoTracking()
            .Where(t => eligible.Contains(t.AssigneeId!) && TicketStatuses.Unsolved.Contains(t.Status))
            .GroupBy(t => t.AssigneeId!).Select(g => new { Agent = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Agent, g => g.Count, cancellationToken);
        var least = eligible.Select(agent => (Agent: agent, Load: loads.GetValueOrDefault(agent))).MinBy(l => l.Load);
        return (least.Agent, $"least loaded: {least.Agent} with {least.Load} unsolved tickets ({string.Join(", ", eligible.Select(a => $"{a}: {loads.GetValueOrDefault(a)}"))})");
    }
}
