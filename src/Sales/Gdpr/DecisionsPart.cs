using CrmPlatform.Persistence.Gdpr;
using CrmPlatform.Sales.Data;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Gdpr;

/// <summary>
/// The person's place in deals' decisions: buying-centre entries (role, attitude, notes about them), objections they
/// raised, commitments they made, decisions they took. Erasure removes their buying-centre entries (an assessment of a
/// person is not kept without them) and takes them out of the rest, which stays as the deal's history.
/// </summary>
public sealed class DecisionsPart : IPersonalDataPart<SalesDbContext>
{
    public string Name => "decisions";

    public async Task<object?> CollectAsync(SalesDbContext db, Guid personId, CancellationToken cancellationToken)
    {
        var buyingCentre = await db.BuyingCentreMembers.AsNoTracking().Where(m => m.ContactId == personId)
            .Select(m => new { m.OpportunityId, m.Role, m.Influence, m.Attitude, m.Notes, m.CreatedAt, m.UpdatedAt }).ToListAsync(cancellationToken);
        var raised = await db.DealRisks.AsNoTracking().Where(r => r.RaisedByContactId == personId)
            .Select(r => new { r.OpportunityId, r.Kind, r.Description, r.Status, r.Resolution, r.CreatedAt }).ToListAsync(cancellationToken);
        var commitments = await db.CustomerCommitments.AsNoTracking().Where(c => c.ContactId == personId)
            .Select(c => new { c.OpportunityId, c.Description, c.DueBy, c.Status, c.CreatedAt }).ToListAsync(cancellationToken);
        var decisions = await db.DealDecisions.AsNoTracking().Where(d => d.DecidedByContactIds.Contains(personId))
            .Select(d => new { d.OpportunityId, d.Outcome, d.Reason, d.AlternativeChosen, d.DecidedAt }).ToListAsync(cancellationToken);
        return buyingCentre.Count + raised.Count + commitments.Count + decisions.Count == 0
            ? null
            : new { BuyingCentre = buyingCentre, RaisedObjections = raised, Commitments = commitments, Decisions = decisions };
    }

    public async Task<int> EraseAsync(SalesDbContext db, Guid personId, DateTime now, CancellationToken cancellationToken)
    {
        var members = await db.BuyingCentreMembers.Where(m => m.ContactId == personId).ToListAsync(cancellationToken);
        db.BuyingCentreMembers.RemoveRange(members);
        var risks = await db.DealRisks.Where(r => r.RaisedByContactId == personId).ToListAsync(cancellationToken);
        risks.ForEach(risk => risk.RaisedByContactId = null);
        var commitments = await db.CustomerCommitments.Where(c => c.ContactId == personId).ToListAsync(cancellationToken);
        commitments.ForEach(commitment => commitment.ContactId = null);
        var decisions = await db.DealDecisions.Where(d => d.DecidedByContactIds.Contains(personId)).ToListAsync(cancellationToken);
        decisions.ForEach(decision => decision.DecidedByContactIds = [.. decision.DecidedByContactIds.Where(id => id != personId)]);
        return members.Count + risks.Count + commitments.Count + decisions.Count;
    }
}
