using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Sales.Catalog;

/// <summary>
/// Prices of products in one currency (a tenant may keep one book per currency, market or customer tier). A product has
/// at most one price per book. The currency never changes: quotes made from the book are in its currency.
/// </summary>
public sealed class PriceBook : UnownedAuditedEntity
{
    public const int NameMaxLength = 200;
    public const int MaxEntries = 5000;
    /// <summary>Unit prices may be finer than the currency's minor unit (0.0125 per message); line nets are rounded.</summary>
    public const int UnitPriceDecimals = 4;
    public const decimal UnitPriceLimit = 1_000_000_000m;

    public string Name { get; set; } = "";
    public string Currency { get; init; } = "";
    public bool Active { get; set; } = true;
    public List<PriceBookEntry> Entries { get; private set; } = [];

    public decimal? PriceOf(Guid productId) => Entries.FirstOrDefault(e => e.ProductId == productId)?.UnitPrice;

    /// <summary>
    /// Makes the entries exactly these prices, changing rows in place rather than replacing them, so the unique
    /// (book, product) index never sees a product twice within one save.
    /// </summary>
    public void SetPrices(IReadOnlyDictionary<Guid, decimal> prices)
    {
        Entries.RemoveAll(entry => !prices.ContainsKey(entry.ProductId));
        foreach (var (productId, unitPrice) in prices)
        {
            if (Entries.Find(entry => entry.ProductId == productId) is { } existing)
            {
                existing.UnitPrice = unitPrice;
            }
            else
            {
                Entries.Add(new PriceBookEntry { ProductId = productId, UnitPrice = unitPrice });
            }
        }
    }
}

/// <summary>A product's unit price in a book.</summary>
public sealed class PriceBookEntry
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid ProductId { get; init; }
    public decimal UnitPrice { get; set; }
}
