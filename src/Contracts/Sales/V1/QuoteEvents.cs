namespace CrmPlatform.Contracts.Sales.V1;

/// <summary>
/// One line of a quote as it was sent. Amounts are in the quote's currency; <see cref="NetAmount"/> is already rounded
/// to the currency's minor unit (see <see cref="QuoteSnapshot"/>).
/// </summary>
public sealed record QuoteLineSnapshot(
    Guid? ProductId,
    string? Sku,
    string Description,
    decimal Quantity,
    decimal UnitPrice,
    decimal DiscountPercent,
    decimal TaxRate,
    decimal NetAmount);

/// <summary>Tax on the sum of the nets of all lines with one rate, rounded once for the group.</summary>
public sealed record QuoteTaxSnapshot(decimal TaxRate, decimal NetAmount, decimal TaxAmount);

/// <summary>
/// A quote version after a change. <see cref="Number"/> names the quote across its versions; <see cref="Revision"/>
/// counts them (1, 2…), and each version has an id of its own (the event's aggregate). The totals follow the rounding
/// rules of Sales (docs/architecture.md): each line's net rounded half away from zero to the currency's minor unit,
/// tax per rate on the sum of those nets, rounded the same way; <see cref="Total"/> = <see cref="Subtotal"/> +
/// <see cref="TaxTotal"/> exactly.
/// </summary>
public sealed record QuoteSnapshot(
    int Number,
    int Revision,
    Guid OpportunityId,
    Guid PriceBookId,
    string Currency,
    DateOnly ValidUntil,
    decimal Subtotal,
    decimal TaxTotal,
    decimal Total,
    IReadOnlyList<QuoteLineSnapshot> Lines,
    IReadOnlyList<QuoteTaxSnapshot> Taxes);

/// <summary>A quote version was sent to the customer; from now on it cannot change (a change is a new revision).</summary>
public sealed record QuoteSent(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version, QuoteSnapshot Quote) : IIntegrationEvent;

/// <summary>
/// The customer accepted a quote version (at most one version of a quote number is ever accepted).
/// <see cref="OpportunityAmountSet"/> says whether the opportunity's amount was set to the quote's total in the same commit.
/// </summary>
public sealed record QuoteAccepted(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version, QuoteSnapshot Quote, bool OpportunityAmountSet) : IIntegrationEvent;
