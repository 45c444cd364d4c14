using CrmPlatform.Persistence;
using CrmPlatform.Persistence.TeamDirectory;
using CrmPlatform.Sales.Data;
using CrmPlatform.Sales.Leads;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Assignment;

/// <summary>
/// Applies a tenant's assignment rules to a lead: the one place lead creation (API, import, web form) and the
/// on-demand <c>assign</c> pass through. The chosen owner, the rule and the reason are set on the lead and a history row
/// is added; the caller's SaveChanges writes them with the lead, so the owner change rides the lead's own write and event.
/// </summary>
public static class LeadAssigner
{
    public const string OnCreation = "creation";
    public const string OnDemand = "on-demand";

    /// <summary>Statuses in which a lead is someone's work (least-loaded counts them).</summary>
    private static readonly string[] OpenLeadStatuses = [LeadStatuses.New, LeadStatuses.Working, LeadStatuses.Qualified];

    /// <summary>The tenant's active rules in the order they are tried.</summary>
    public static Task<List<AssignmentRule>> ActiveRulesAsync(SalesDbContext db, CancellationToken cancellationToken) =>
        db.AssignmentRules.AsNoTracking().Where(r => r.IsActive)
            .OrderBy(r => r.Position).ThenBy(r => r.CreatedAt).ThenBy(r => r.Id).ToListAsync(cancellationToken);

    /// <summary>The assignment made (also added to the DbContext), or null when no active rule matched (nothing changes).</summary>
    public static async Task<LeadAssignment?> AssignAsync(SalesDbContext db, Lead lead, string trigger, CancellationToken cancellationToken) =>
        await AssignAsync(db, lead, await ActiveRulesAsync(db, cancellationToken), trigger, cancellationToken);

    public static async Task<LeadAssignment?> AssignAsync(
        SalesDbContext db, Lead lead, IReadOnlyList<AssignmentRule> rules, string trigger, CancellationToken cancellationToken)
    {
        foreach (var rule in rules)
        {
            if (rule.Match(lead) is not { } criteria)
            {
                continue;
            }
            if (await ChooseOwnerAsync(db, rule, cancellationToken) is not var (owner, how))
            {
                // A team without members cannot take the lead; the next rule may.
                continue;
            }
            var assignment = new LeadAssignment
            {
                LeadId = lead.Id,
                RuleId = rule.Id,
                PreviousOwnerId = lead.OwnerId,
                OwnerId = owner,
                Reason = $"rule '{rule.Name}': {criteria} → {how}",
                Trigger = trigger,
                AssignedAt = DateTime.UtcNow,
                AssignedBy = db.Actor,
            };
            lead.OwnerId = owner;
            lead.AssignedByRuleId = rule.Id;
            lead.AssignmentReason = assignment.Reason;
            db.Set<LeadAssignment>().Add(assignment);
            return assignment;
        }
        return null;
    }

    private static async Task<(string Owner, string How)?> ChooseOwnerAsync(SalesDbContext db, AssignmentRule rule, CancellationToken cancellationToken)
    {
        if (rule.TargetUserId is { } user)
        {
            return (user, $"user {user}");
        }
        var team = await db.Set<DirectoryTeam>().AsNoTracking()
            .SingleOrDefaultAsync(t => t.Id == rule.TargetTeamId && !t.IsDeleted, cancellationToken);
        var members = team?.MemberIds.Distinct().Order(StringComparer.Ordinal).ToList() ?? [];
        if (members.Count == 0)
        {
            return null;
        }
        return rule.Method == AssignmentMethods.LeastLoaded
            ? await LeastLoadedAsync(db, team!, members, cancellationToken)
            : await RoundRobinAsync(db, rule, team!, members, cancellationToken);
    }

    /// <summary>
    /// Takes the rule's next turn with one atomic increment: concurrent creations are serialized on the rule's row and
    /// each gets its own turn, so n leads over k members give each member n/k (±1). A lead whose save fails after taking
    /// its turn leaves that turn unused.
    /// </summary>
    private static async Task<(string, string)> RoundRobinAsync(
        SalesDbContext db, AssignmentRule rule, DirectoryTeam team, List<string> members, CancellationToken cancellationToken)
    {
        var turn = await db.Database.SqlQuery<long>(
                $"UPDATE assignment_rules SET round_robin_turns = round_robin_turns + 1 WHERE id = {rule.Id} AND tenant_id = {db.CurrentTenantId} RETURNING round_robin_turns AS \"Value\"")
            .ToListAsync(cancellationToken);
        var index = (int)((turn.Single() - 1) % members.Count);
        var previous = members[(index - 1 + members.Count) % members.Count];
        return (members[index], $"team {team.Name}, round robin: {members[index]}, next after {previous} (turn {turn.Single()}, {members.Count} members)");
    }

    /// <summary>
    /// Open leads plus open opportunities per member, across the tenant (a rule sees everyone's load, not the caller's
    /// scope), plus the leads this unit of work has assigned but not yet saved (an import's earlier rows), so a batch
    /// spreads like one lead at a time. Inside a transaction, a lock per tenant makes concurrent choices take turns, as
    /// ticket routing's do: each counts after the previous one's lead has committed.
    /// </summary>
    private static async Task<(string, string)> LeastLoadedAsync(
        SalesDbContext db, DirectoryTeam team, List<string> members, CancellationToken cancellationToken)
    {
        var tenant = db.CurrentTenantId;
        if (db.Database.CurrentTransaction is not null)
        {
            var lockKey = $"lead-assignment:{tenant}";
            await db.LockForTransactionAsync(lockKey, cancellationToken);
        }
        var leads = await db.Leads.IgnoreQueryFilters()
            .Where(l => l.TenantId == tenant && members.Contains(l.OwnerId!) && OpenLeadStatuses.Contains(l.Status))
            .GroupBy(l => l.OwnerId!).Select(g => new { Owner = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Owner, g => g.Count, cancellationToken);
        foreach (var pending in db.ChangeTracker.Entries<Lead>().Where(e => e.State == EntityState.Added && e.Entity.OwnerId is { } owner && members.Contains(owner)))
        {
            leads[pending.Entity.OwnerId!] = leads.GetValueOrDefault(pending.Entity.OwnerId!) + 1;
        }
        var opportunities = await db.Opportunities.IgnoreQueryFilters()
            .Where(o => o.TenantId == tenant && members.Contains(o.OwnerId!) && o.ClosedAt == null)
            .GroupBy(o => o.OwnerId!).Select(g => new { Owner = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Owner, g => g.Count, cancellationToken);
        var loads = members.Select(m => (Member: m, Load: leads.GetValueOrDefault(m) + opportunities.GetValueOrDefault(m))).ToList();
        var least = loads.MinBy(l => l.Load);
        return (least.Member, $"team {team.Name}, least loaded: {least.Member} with {least.Load} open leads and opportunities "
            + $"({string.Join(", ", loads.Select(l => $"{l.Member}: {l.Load}"))})");
    }
}
