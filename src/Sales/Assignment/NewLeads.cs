using CrmPlatform.Sales.Data;
using CrmPlatform.Sales.Leads;
using CrmPlatform.Sales.Scoring;

namespace CrmPlatform.Sales.Assignment;

/// <summary>
/// What every new lead goes through before it is first saved, however it came (API, import, web form): the assignment
/// rules when it has no owner, then its first score. Call after the lead's fields are set and before the DbContext
/// stamps it (stamping makes the creator the owner of an unowned lead), so <c>LeadCreated</c> carries the rule's owner.
/// </summary>
public static class NewLeads
{
    public static Task PrepareAsync(SalesDbContext db, Lead lead, CancellationToken cancellationToken) =>
        PrepareAllAsync(db, [lead], cancellationToken);

    /// <summary>An import's leads: the rules and the scoring context are read once for all of them.</summary>
    public static async Task PrepareAllAsync(SalesDbContext db, IReadOnlyList<Lead> leads, CancellationToken cancellationToken)
    {
        if (leads.Count == 0)
        {
            return;
        }
        var rules = await LeadAssigner.ActiveRulesAsync(db, cancellationToken);
        var context = await LeadScorer.ContextAsync(db, cancellationToken);
        var now = DateTime.UtcNow;
        foreach (var lead in leads)
        {
            if (lead.OwnerId is null)
            {
                await LeadAssigner.AssignAsync(db, lead, rules, LeadAssigner.OnCreation, cancellationToken);
            }
            // A new lead has no engagement yet.
            LeadScorer.Compute(LeadFacts.From(lead), [], context, now).ApplyTo(lead, now);
        }
    }
}
