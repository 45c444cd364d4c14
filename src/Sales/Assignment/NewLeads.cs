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
    public static async Task PrepareAsync(SalesDbContext db, Lead lead, CancellationToken cancellationToken)
    {
        await LeadAssigner.AssignNewAsync(db, lead, cancellationToken);
        await LeadScorer.ScoreAsync(db, lead, cancellationToken);
    }
}
