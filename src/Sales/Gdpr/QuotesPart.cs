using CrmPlatform.Persistence.Gdpr;
using CrmPlatform.Sales.Data;
using CrmPlatform.Sales.Quotes;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Gdpr;

/// <summary>
/// The quotes on the opportunities whose customer is the person. Erasure keeps their figures and lines (what was
/// offered, at what price) and removes the free text written about the deal: notes and rejection reasons.
/// </summary>
public sealed class QuotesPart : IPersonalDataPart<SalesDbContext>
{
    public string Name => "quotes";

    private static IQueryable<Quote> OfPerson(SalesDbContext db, Guid personId) =>
        db.Quotes.Where(q => db.Opportunities.Any(o => o.Id == q.OpportunityId && o.CustomerId == personId));

    public async Task<object?> CollectAsync(SalesDbContext db, Guid personId, CancellationToken cancellationToken) =>
        (await OfPerson(db, personId).AsNoTracking().OrderBy(q => q.Number).ThenBy(q => q.Revision).ToListAsync(cancellationToken))
        .Select(q => new
        {
            q.Id, q.Number, q.Revision, q.OpportunityId, Status = Quote.Name(q.Status), q.Currency, q.ValidUntil, q.Notes,
            q.Subtotal, q.TaxTotal, q.Total, q.SentAt, q.DecidedAt, q.RejectionReason, q.CreatedAt, q.UpdatedAt,
            Lines = q.Lines.OrderBy(l => l.Position).Select(l => new { l.Sku, l.Description, l.Quantity, l.UnitPrice, l.DiscountPercent, l.TaxRate, l.NetAmount }),
        })
        .ToList();

    public async Task<IReadOnlyCollection<Guid>> AuditedIdsAsync(SalesDbContext db, Guid personId, CancellationToken cancellationToken) =>
        await OfPerson(db, personId).Select(q => q.Id).ToListAsync(cancellationToken);

    public async Task<int> EraseAsync(SalesDbContext db, Guid personId, DateTime now, CancellationToken cancellationToken)
    {
        var quotes = await OfPerson(db, personId).ToListAsync(cancellationToken);
        quotes.ForEach(quote => quote.EraseFreeText());
        return quotes.Count;
    }
}
