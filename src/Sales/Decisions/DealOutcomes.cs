using CrmPlatform.Sales.Data;
using CrmPlatform.Sales.Model;
using CrmPlatform.Sales.Pipelines;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Decisions;

/// <summary>
/// Closing an opportunity records its decision, with what the move carried (a loss's reason and competitor become the
/// decision's reason and alternative). Recorded, not required: asking every close for who decided and why makes reps
/// type whatever gets them past the form, and stops bulk closes and integrations; the pipeline already asks a loss for
/// its reason. What is missing shows as an incomplete decision that the reports list and managers chase.
/// Reopening removes the decision: an open deal has not been decided.
/// </summary>
public static class DealOutcomes
{
    public static async Task RecordAsync(SalesDbContext db, Opportunity opportunity, PipelineStage stage, CancellationToken cancellationToken)
    {
        var decision = await db.DealDecisions.SingleOrDefaultAsync(d => d.OpportunityId == opportunity.Id, cancellationToken);
        if (stage.Kind == StageKind.Open)
        {
            if (decision is not null)
            {
                db.DealDecisions.Remove(decision);
            }
            return;
        }
        var outcome = stage.Kind == StageKind.Won ? DecisionVocabulary.Won : DecisionVocabulary.Lost;
        if (decision is null)
        {
            decision = new DealDecision { OpportunityId = opportunity.Id };
            db.DealDecisions.Add(decision);
        }
        else if (decision.Outcome != outcome)
        {
            // Won after all (or lost after all): what was said about the other outcome does not hold.
            (decision.Reason, decision.AlternativeChosen) = (null, null);
        }
        decision.Outcome = outcome;
        decision.DecidedAt = opportunity.ClosedAt!.Value;
        if (stage.Kind == StageKind.Lost)
        {
            decision.Reason ??= opportunity.LostReason;
            decision.AlternativeChosen ??= opportunity.Competitor;
        }
    }
}
