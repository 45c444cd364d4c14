using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.Sales.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Catalog;

public sealed record ProductRequest(string? Sku, string? Name, string? Description, bool? Active)
{
    public FieldErrors Validate() => new FieldErrors()
        .Required("sku", Sku, Product.SkuMaxLength)
        .Required("name", Name, Product.NameMaxLength)
        .MaxLength("description", Description, Product.DescriptionMaxLength);

    public void ApplyTo(Product product)
    {
        product.Sku = Sku!.Trim();
        product.Name = Name!.Trim();
        product.Description = string.IsNullOrWhiteSpace(Description) ? null : Description.Trim();
        product.Active = Active ?? true;
    }
}

public sealed record ProductResponse(
    Guid Id, string Sku, string Name, string? Description, bool Active,
    DateTime CreatedAt, string? CreatedBy, DateTime UpdatedAt, string? UpdatedBy, int Version)
{
    public static ProductResponse From(Product p) =>
        new(p.Id, p.Sku, p.Name, p.Description, p.Active, p.CreatedAt, p.CreatedBy, p.UpdatedAt, p.UpdatedBy, p.Version);
}

/// <summary>
/// <c>/api/v1/products</c>: the tenant's catalogue. Admins and sales managers keep it; everyone who reads the pipeline
/// reads it. No delete: quotes keep naming their products, so a product leaves the catalogue by becoming inactive.
/// </summary>
public static class ProductsApi
{
    private const string Resource = "product";

    public static RouteGroupBuilder MapProductsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/products").WithTags("Products");
        api.MapGet("/", ListProducts).Lists(ListFields).RequirePermission(Permissions.Products, Operation.Read);
        api.MapGet("/{id:guid}", GetProduct).RequirePermission(Permissions.Products, Operation.Read);
        api.MapPost("/", CreateProduct).RequirePermission(Permissions.Products, Operation.Create);
        api.MapPut("/{id:guid}", UpdateProduct).RequirePermission(Permissions.Products, Operation.Update);
        return api;
    }

    private static readonly ListFields<Product> ListFields = new ListFields<Product>()
        .Filter("sku", p => p.Sku, sku => sku.Trim())
        .Filter("active", p => p.Active)
        .Sort("sku", p => p.Sku)
        .Sort("name", p => p.Name)
        .Sort("updatedAt", p => p.UpdatedAt);

    public static async Task<Results<Ok<CursorPage<ProductResponse>>, ValidationProblem>> ListProducts(
        SalesDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        if (!ListQuery<Product>.TryParse(request.Query, ListFields, out var list, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await list.ToPageAsync(db.Products.AsNoTracking(), ProductResponse.From, cancellationToken));
    }

    public static async Task<Results<Ok<ProductResponse>, ProblemHttpResult>> GetProduct(
        Guid id, SalesDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var product = await db.Products.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (product is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, product.Version);
        return TypedResults.Ok(ProductResponse.From(product));
    }

    public static async Task<Results<Created<ProductResponse>, ValidationProblem, ProblemHttpResult>> CreateProduct(
        ProductRequest request, SalesDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var product = new Product();
        request.ApplyTo(product);
        db.Products.Add(product);
        if (await SaveAsync(db, product, cancellationToken) is { } problem)
        {
            return problem;
        }
        ETags.Set(response, product.Version);
        return TypedResults.Created($"/api/v1/products/{product.Id}", ProductResponse.From(product));
    }

    public static async Task<Results<Ok<ProductResponse>, ValidationProblem, ProblemHttpResult>> UpdateProduct(
        Guid id, ProductRequest request, SalesDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var product = await db.Products.SingleOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (product is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, product.Version, out _) is { } precondition)
        {
            return precondition;
        }
        request.ApplyTo(product);
        if (await SaveAsync(db, product, cancellationToken) is { } problem)
        {
            return problem;
        }
        ETags.Set(http.Response, product.Version);
        return TypedResults.Ok(ProductResponse.From(product));
    }

    /// <summary>The unique index decides duplicates, so two products created at once with one SKU cannot both pass.</summary>
    private static async Task<ProblemHttpResult?> SaveAsync(SalesDbContext db, Product product, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, product.Id);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return ApiProblems.Conflict($"Another product already has the SKU '{product.Sku}'.",
                new Dictionary<string, object?> { ["sku"] = product.Sku });
        }
    }
}
