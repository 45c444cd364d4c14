using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.Sales.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Catalog;

public sealed record PriceBookEntryRequest(Guid? ProductId, decimal? UnitPrice);

public sealed record PriceBookRequest(string? Name, string? Currency, bool? Active, IReadOnlyList<PriceBookEntryRequest>? Entries)
{
    public FieldErrors Validate()
    {
        var errors = new FieldErrors()
            .Required("name", Name, PriceBook.NameMaxLength)
            .When(!Currencies.IsCode(Currency), "currency", "currency must be an ISO 4217 code such as EUR.")
            .When(Entries?.Count > PriceBook.MaxEntries, "entries", $"A price book has at most {PriceBook.MaxEntries} entries.");
        var seen = new HashSet<Guid>();
        foreach (var (entry, i) in (Entries ?? []).Select((entry, i) => (entry, i)))
        {
            var field = $"entries[{i}]";
            errors.When(entry.ProductId is null || entry.ProductId == Guid.Empty, $"{field}.productId", "productId is required.")
                .When(entry.ProductId is { } id && id != Guid.Empty && !seen.Add(id), $"{field}.productId",
                    "A product is priced at most once per price book.")
                .When(entry.UnitPrice is null, $"{field}.unitPrice", "unitPrice is required.")
                .When(entry.UnitPrice is < 0 or >= PriceBook.UnitPriceLimit, $"{field}.unitPrice",
                    $"unitPrice is from 0 to less than {PriceBook.UnitPriceLimit:0}.")
                .When(entry.UnitPrice is { } price && decimal.Round(price, PriceBook.UnitPriceDecimals) != price, $"{field}.unitPrice",
                    $"unitPrice has at most {PriceBook.UnitPriceDecimals} decimals.");
        }
        return errors;
    }

    public Dictionary<Guid, decimal> Prices() => (Entries ?? []).ToDictionary(e => e.ProductId!.Value, e => e.UnitPrice!.Value);
}

public sealed record PriceBookEntryResponse(Guid ProductId, string Sku, string ProductName, decimal UnitPrice);

public sealed record PriceBookResponse(
    Guid Id, string Name, string Currency, bool Active, IReadOnlyList<PriceBookEntryResponse> Entries,
    DateTime CreatedAt, string? CreatedBy, DateTime UpdatedAt, string? UpdatedBy, int Version)
{
    public static PriceBookResponse From(PriceBook b, IReadOnlyDictionary<Guid, Product> products) => new(
        b.Id, b.Name, b.Currency, b.Active,
        [.. b.Entries.OrderBy(e => products[e.ProductId].Sku, StringComparer.Ordinal)
            .Select(e => new PriceBookEntryResponse(e.ProductId, products[e.ProductId].Sku, products[e.ProductId].Name, e.UnitPrice))],
        b.CreatedAt, b.CreatedBy, b.UpdatedAt, b.UpdatedBy, b.Version);
}

/// <summary>
/// <c>/api/v1/price-books</c>: unit prices per currency, written as one document (the book with all its entries).
/// Kept by admins and sales managers, read by everyone who reads the pipeline. No delete: quotes name their book.
/// </summary>
public static class PriceBooksApi
{
    private const string Resource = "price book";

    public static RouteGroupBuilder MapPriceBooksApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/price-books").WithTags("Price books");
        api.MapGet("/", ListPriceBooks).Lists(ListFields).RequirePermission(Permissions.PriceBooks, Operation.Read);
        api.MapGet("/{id:guid}", GetPriceBook).RequirePermission(Permissions.PriceBooks, Operation.Read);
        api.MapPost("/", CreatePriceBook).RequirePermission(Permissions.PriceBooks, Operation.Create);
        api.MapPut("/{id:guid}", UpdatePriceBook).RequirePermission(Permissions.PriceBooks, Operation.Update);
        return api;
    }

    private static readonly ListFields<PriceBook> ListFields = new ListFields<PriceBook>()
        .Filter("currency", b => b.Currency, currency => currency.ToUpperInvariant())
        .Filter("active", b => b.Active)
        .Sort("name", b => b.Name)
        .Sort("updatedAt", b => b.UpdatedAt);

    public static async Task<Results<Ok<CursorPage<PriceBookResponse>>, ValidationProblem>> ListPriceBooks(
        SalesDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        if (!ListQuery<PriceBook>.TryParse(request.Query, ListFields, out var list, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        var page = await list.ToPageAsync(db.PriceBooks.AsNoTracking(), b => b, cancellationToken);
        var products = await ProductsOfAsync(db, page.Items.SelectMany(b => b.Entries).Select(e => e.ProductId), cancellationToken);
        return TypedResults.Ok(new CursorPage<PriceBookResponse>([.. page.Items.Select(b => PriceBookResponse.From(b, products))], page.NextCursor));
    }

    public static async Task<Results<Ok<PriceBookResponse>, ProblemHttpResult>> GetPriceBook(
        Guid id, SalesDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var book = await db.PriceBooks.AsNoTracking().SingleOrDefaultAsync(b => b.Id == id, cancellationToken);
        if (book is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, book.Version);
        return TypedResults.Ok(PriceBookResponse.From(book, await ProductsOfAsync(db, book.Entries.Select(e => e.ProductId), cancellationToken)));
    }

    public static async Task<Results<Created<PriceBookResponse>, ValidationProblem, ProblemHttpResult>> CreatePriceBook(
        PriceBookRequest request, SalesDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var prices = request.Prices();
        var products = await ProductsOfAsync(db, prices.Keys, cancellationToken);
        if (UnknownProducts(prices.Keys, products) is { } unknown)
        {
            return unknown;
        }
        var book = new PriceBook { Name = request.Name!.Trim(), Currency = request.Currency!, Active = request.Active ?? true };
        book.SetPrices(prices);
        db.PriceBooks.Add(book);
        await db.SaveChangesAsync(cancellationToken);
        ETags.Set(response, book.Version);
        return TypedResults.Created($"/api/v1/price-books/{book.Id}", PriceBookResponse.From(book, products));
    }

    public static async Task<Results<Ok<PriceBookResponse>, ValidationProblem, ProblemHttpResult>> UpdatePriceBook(
        Guid id, PriceBookRequest request, SalesDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var book = await db.PriceBooks.SingleOrDefaultAsync(b => b.Id == id, cancellationToken);
        if (book is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, book.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (request.Currency != book.Currency)
        {
            return TypedResults.ValidationProblem(new FieldErrors().Add("currency",
                $"currency cannot change (quotes were made in {book.Currency}); create a price book for {request.Currency} instead."));
        }
        var prices = request.Prices();
        var products = await ProductsOfAsync(db, prices.Keys, cancellationToken);
        if (UnknownProducts(prices.Keys, products) is { } unknown)
        {
            return unknown;
        }

        book.Name = request.Name!.Trim();
        book.Active = request.Active ?? true;
        book.SetPrices(prices);
        // Entries live in a table of their own: a change of prices alone must still give the book a new version.
        db.Entry(book).Property(b => b.UpdatedAt).IsModified = true;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, id);
        }
        ETags.Set(http.Response, book.Version);
        return TypedResults.Ok(PriceBookResponse.From(book, products));
    }

    private static async Task<Dictionary<Guid, Product>> ProductsOfAsync(SalesDbContext db, IEnumerable<Guid> ids, CancellationToken cancellationToken)
    {
        var wanted = ids.Distinct().ToList();
        return await db.Products.AsNoTracking().Where(p => wanted.Contains(p.Id)).ToDictionaryAsync(p => p.Id, cancellationToken);
    }

    private static ProblemHttpResult? UnknownProducts(IEnumerable<Guid> ids, IReadOnlyDictionary<Guid, Product> products)
    {
        var unknown = ids.Where(id => !products.ContainsKey(id)).ToList();
        return unknown.Count == 0 ? null : ApiProblems.Unprocessable(
            $"No product with id {string.Join(", ", unknown.Select(id => $"'{id}'"))}.",
            new Dictionary<string, string[]> { ["entries"] = [.. unknown.Select(id => $"Unknown product '{id}'.")] });
    }
}
