namespace CrmPlatform.Sales.Quotes;

public sealed record QuoteLineResponse(
    int Position, Guid? ProductId, string? Sku, string Description, decimal Quantity, decimal UnitPrice, decimal DiscountPercent,
    decimal TaxRate, decimal NetAmount);

/// <summary><c>status</c> is as of today (UTC): a sent quote past its <c>validUntil</c> reads <c>expired</c>.</summary>
public sealed record QuoteResponse(
    Guid Id, int Number, int Revision, Guid OpportunityId, Guid PriceBookId, string Currency, QuoteStatus Status, DateOnly ValidUntil,
    string? Notes, IReadOnlyList<QuoteLineResponse> Lines, IReadOnlyList<QuoteTax> Taxes, decimal Subtotal, decimal TaxTotal, decimal Total,
    DateTime? SentAt, DateTime? DecidedAt, string? RejectionReason,
    DateTime CreatedAt, string? CreatedBy, DateTime UpdatedAt, string? UpdatedBy, int Version)
{
    public static QuoteResponse From(Quote q, DateOnly today) => new(
        q.Id, q.Number, q.Revision, q.OpportunityId, q.PriceBookId, q.Currency, q.StatusOn(today), q.ValidUntil, q.Notes,
        [.. q.Lines.OrderBy(l => l.Position).Select(l => new QuoteLineResponse(
            l.Position, l.ProductId, l.Sku, l.Description, l.Quantity, l.UnitPrice, l.DiscountPercent, l.TaxRate, l.NetAmount))],
        q.Taxes, q.Subtotal, q.TaxTotal, q.Total, q.SentAt, q.DecidedAt, q.RejectionReason,
        q.CreatedAt, q.CreatedBy, q.UpdatedAt, q.UpdatedBy, q.Version);
}
