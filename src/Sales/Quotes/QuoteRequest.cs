using CrmPlatform.Sales.Catalog;
using CrmPlatform.Sales.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Quotes;

/// <summary>A product line names <c>productId</c> (description and unit price default from the catalogue and the price book); a free-text line names a description and a unit price.</summary>
public sealed record QuoteLineRequest(
    Guid? ProductId, string? Description, decimal? Quantity, decimal? UnitPrice, decimal? DiscountPercent, decimal? TaxRate);

/// <summary>
/// A draft's content. <c>currency</c> may be left out (it is the price book's); when given it must be the price book's.
/// </summary>
public sealed record QuoteRequest(
    Guid? OpportunityId, Guid? PriceBookId, string? Currency, DateOnly? ValidUntil, string? Notes, IReadOnlyList<QuoteLineRequest>? Lines)
{
    public FieldErrors Validate()
    {
        var errors = new FieldErrors()
            .When(OpportunityId is null || OpportunityId == Guid.Empty, "opportunityId", "opportunityId is required.")
            .When(PriceBookId is null || PriceBookId == Guid.Empty, "priceBookId", "priceBookId is required.")
            .When(Currency is not null && !Currencies.IsCode(Currency), "currency", "currency must be an ISO 4217 code such as EUR.")
            .When(ValidUntil is null, "validUntil", "validUntil is required (the last day the customer may accept).")
            .MaxLength("notes", Notes, Quote.NotesMaxLength)
            .When(Lines?.Count > Quote.MaxLines, "lines", $"A quote has at most {Quote.MaxLines} lines.");
        foreach (var (line, i) in (Lines ?? []).Select((line, i) => (line, i)))
        {
            var field = $"lines[{i}]";
            errors.When(line.ProductId is null && string.IsNullOrWhiteSpace(line.Description), $"{field}.description",
                    "A line names a productId or, for free text, a description.")
                .When(line.ProductId == Guid.Empty, $"{field}.productId", "productId is not a product id.")
                .MaxLength($"{field}.description", line.Description, QuoteLine.DescriptionMaxLength)
                .When(line.Quantity is null, $"{field}.quantity", "quantity is required.")
                .When(line.Quantity is <= 0 or >= QuoteLine.QuantityLimit, $"{field}.quantity",
                    $"quantity is more than 0 and less than {QuoteLine.QuantityLimit:0}.")
                .When(!HasAtMostDecimals(line.Quantity, QuoteLine.QuantityDecimals), $"{field}.quantity",
                    $"quantity has at most {QuoteLine.QuantityDecimals} decimals.")
                .When(line.ProductId is null && line.UnitPrice is null, $"{field}.unitPrice", "A free-text line needs a unitPrice.")
                .When(line.UnitPrice is < 0 or >= PriceBook.UnitPriceLimit, $"{field}.unitPrice",
                    $"unitPrice is from 0 to less than {PriceBook.UnitPriceLimit:0}.")
                .When(!HasAtMostDecimals(line.UnitPrice, PriceBook.UnitPriceDecimals), $"{field}.unitPrice",
                    $"unitPrice has at most {PriceBook.UnitPriceDecimals} decimals.")
                .When(line.DiscountPercent is < 0 or > 100, $"{field}.discountPercent", "discountPercent is from 0 to 100.")
                .When(!HasAtMostDecimals(line.DiscountPercent, QuoteLine.DiscountDecimals), $"{field}.discountPercent",
                    $"discountPercent has at most {QuoteLine.DiscountDecimals} decimals.")
                .When(line.TaxRate is < 0 or > 100, $"{field}.taxRate", "taxRate is a percentage from 0 to 100.")
                .When(!HasAtMostDecimals(line.TaxRate, QuoteLine.TaxRateDecimals), $"{field}.taxRate",
                    $"taxRate has at most {QuoteLine.TaxRateDecimals} decimals.");
        }
        return errors;
    }

    /// <summary>
    /// The draft's content with every line priced: the price book must exist and be active, be in the quote's currency,
    /// and price every product line that gives no unit price of its own; products must exist and be active. 422 otherwise.
    /// </summary>
    public async Task<(QuoteContent? Content, ProblemHttpResult? Problem)> ResolveAsync(SalesDbContext db, CancellationToken cancellationToken)
    {
        var book = await db.PriceBooks.AsNoTracking().SingleOrDefaultAsync(b => b.Id == PriceBookId, cancellationToken);
        if (book is null || !book.Active)
        {
            return (null, Unprocessable("priceBookId", book is null ? $"No price book with id '{PriceBookId}'." : $"The price book '{book.Name}' is inactive."));
        }
        if (Currency is not null && Currency != book.Currency)
        {
            return (null, Unprocessable("currency",
                $"The quote's currency must be its price book's: '{book.Name}' is in {book.Currency}, the quote in {Currency}."));
        }

        var lines = Lines ?? [];
        var productIds = lines.Where(l => l.ProductId is not null).Select(l => l.ProductId!.Value).Distinct().ToList();
        var products = await db.Products.AsNoTracking().Where(p => productIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, cancellationToken);
        var errors = new Dictionary<string, string[]>();
        var resolved = new List<QuoteLine>();
        foreach (var (line, i) in lines.Select((line, i) => (line, i)))
        {
            Product? product = null;
            if (line.ProductId is { } productId && (!products.TryGetValue(productId, out product) || !product.Active))
            {
                errors[$"lines[{i}].productId"] = [product is null ? $"No product with id '{productId}'." : $"The product {product.Sku} is inactive."];
                continue;
            }
            var unitPrice = line.UnitPrice ?? book.PriceOf(line.ProductId!.Value);
            if (unitPrice is null)
            {
                errors[$"lines[{i}].unitPrice"] = [$"The price book '{book.Name}' has no price for {product!.Sku}; give a unitPrice."];
                continue;
            }
            resolved.Add(new QuoteLine
            {
                ProductId = product?.Id,
                Sku = product?.Sku,
                Description = string.IsNullOrWhiteSpace(line.Description) ? product!.Name : line.Description.Trim(),
                Quantity = line.Quantity!.Value,
                UnitPrice = unitPrice.Value,
                DiscountPercent = line.DiscountPercent ?? 0,
                TaxRate = line.TaxRate ?? 0,
            });
        }
        if (errors.Count > 0)
        {
            return (null, ApiProblems.Unprocessable("Some lines name products that cannot be quoted.", errors));
        }
        var notes = string.IsNullOrWhiteSpace(Notes) ? null : Notes.Trim();
        return (new QuoteContent(book.Id, book.Currency, ValidUntil!.Value, notes, resolved), null);
    }

    private static bool HasAtMostDecimals(decimal? value, int decimals) => value is not { } v || decimal.Round(v, decimals) == v;

    private static ProblemHttpResult Unprocessable(string field, string message) =>
        ApiProblems.Unprocessable(message, new Dictionary<string, string[]> { [field] = [message] });
}

public sealed record AcceptQuoteRequest(bool? SetOpportunityAmount);

public sealed record RejectQuoteRequest(string? Reason)
{
    public FieldErrors Validate() => new FieldErrors().MaxLength("reason", Reason, Quote.RejectionReasonMaxLength);
}
