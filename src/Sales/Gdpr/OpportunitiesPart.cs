using CrmPlatform.Persistence.Gdpr;
using CrmPlatform.Sales.Data;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Gdpr;

/// <summary>
/// The opportunities whose customer is the person. Erasure keeps them for the pipeline's figures (amount, currency,
/// stage, dates) and anonymizes what can describe the person: the name and the lost reason (free text); their audit
/// entries are redacted.
/// </summary>
public sealed class OpportunitiesPart : IPersonalDataPart<SalesDbContext>
{
    public const string ErasedName = "[erased customer]";

    public string Name => "opportunities";

    public async Task<object?> CollectAsync(SalesDbContext db, Guid personId, CancellationToken cancellationToken) =>
        await db.Opportunities.AsNoTracking()
            .Where(o => o.CustomerId == personId)
            .OrderBy(o => o.CreatedAt)
            .Select(o => new
            {
                o.Id, o.Name, o.Amount, o.Currency, o.PipelineId, o.Stage, o.StageEnteredAt, o.ExpectedCloseDate, o.ClosedAt, o.LostReason, o.Competitor,
                o.OwnerId, o.CreatedAt, o.UpdatedAt,
            })
            .ToListAsync(cancellationToken);

    public async Task<IReadOnlyCollection<Guid>> AuditedIdsAsync(SalesDbContext db, Guid personId, CancellationToken cancellationToken) =>
        await db.Opportunities.Where(o => o.CustomerId == personId).Select(o => o.Id).ToListAsync(cancellationToken);

    public async Task<int> EraseAsync(SalesDbContext db, Guid personId, DateTime now, CancellationToken cancellationToken)
    {
        var opportunities = await db.Opportunities.Where(o => o.CustomerId == personId)
            .ToListAsync(cancellationToken);
        foreach (var opportunity in opportunities)
        {
            opportunity.Anonymize(ErasedName);
        }
        return opportunities.Count;
    }
}
