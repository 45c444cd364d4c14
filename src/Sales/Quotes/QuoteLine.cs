namespace CrmPlatform.Sales.Quotes;

/// <summary>
/// One line of a quote: a product (its SKU and name copied, so the quote reads the same after the catalogue changes)
/// or free text. <see cref="NetAmount"/> is computed by <see cref="Quote"/>, never taken from a client.
/// </summary>
public sealed class QuoteLine
{
    public const int DescriptionMaxLength = 500;
    public const int QuantityDecimals = 3;
    public const decimal QuantityLimit = 1_000_000m;
    public const int DiscountDecimals = 2;
    public const int TaxRateDecimals = 3;

    public Guid Id { get; init; } = Guid.CreateVersion7();
    /// <summary>The line's place on the quote, from 1.</summary>
    public int Position { get; set; }
    public Guid? ProductId { get; init; }
    public string? Sku { get; init; }
    public string Description { get; init; } = "";
    public decimal Quantity { get; init; }
    public decimal UnitPrice { get; init; }
    /// <summary>0 to 100.</summary>
    public decimal DiscountPercent { get; init; }
    /// <summary>0 to 100.</summary>
    public decimal TaxRate { get; init; }
    public decimal NetAmount { get; set; }

    /// <summary>Quantity × unit price less the discount, exact (decimal), before any rounding.</summary>
    public decimal ExactNet => Quantity * UnitPrice * (100m - DiscountPercent) / 100m;

    public QuoteLine Copy() => new()
    {
        Position = Position, ProductId = ProductId, Sku = Sku, Description = Description, Quantity = Quantity,
        UnitPrice = UnitPrice, DiscountPercent = DiscountPercent, TaxRate = TaxRate, NetAmount = NetAmount,
    };
}

/// <summary>The tax of one rate: on the sum of the rounded nets of the lines with that rate, rounded once.</summary>
public sealed record QuoteTax(decimal TaxRate, decimal NetAmount, decimal TaxAmount);
