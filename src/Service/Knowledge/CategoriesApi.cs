using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.Service.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Service.Knowledge;

public sealed record CategoryRequest(string? Name, string? Description, int? Position)
{
    public FieldErrors Validate() => new FieldErrors()
        .Required("name", Name, KnowledgeCategory.NameMaxLength)
        .MaxLength("description", Description, KnowledgeCategory.DescriptionMaxLength)
        .When(Position is < 0, "position", "position is 0 or more.");

    public void ApplyTo(KnowledgeCategory category)
    {
        category.Name = Name!.Trim();
        category.Description = string.IsNullOrWhiteSpace(Description) ? null : Description.Trim();
        category.Position = Position ?? 0;
    }
}

public sealed record CategoryResponse(
    Guid Id, string Name, string? Description, int Position, DateTime CreatedAt, string? CreatedBy, DateTime UpdatedAt, string? UpdatedBy, int Version)
{
    public static CategoryResponse From(KnowledgeCategory c) =>
        new(c.Id, c.Name, c.Description, c.Position, c.CreatedAt, c.CreatedBy, c.UpdatedAt, c.UpdatedBy, c.Version);
}

/// <summary><c>/api/v1/knowledge/categories</c>: how the help centre groups articles. A category in use cannot be deleted.</summary>
public static class CategoriesApi
{
    private const string Resource = "knowledge category";

    public static RouteGroupBuilder MapCategoriesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/knowledge/categories").WithTags("Knowledge base");
        api.MapGet("/", ListCategories).Lists(ListFields).RequirePermission(Permissions.KnowledgeBase, Operation.Read);
        api.MapGet("/{id:guid}", GetCategory).RequirePermission(Permissions.KnowledgeBase, Operation.Read);
        api.MapPost("/", CreateCategory).RequirePermission(Permissions.KnowledgeBase, Operation.Create);
        api.MapPut("/{id:guid}", UpdateCategory).RequirePermission(Permissions.KnowledgeBase, Operation.Update);
        api.MapDelete("/{id:guid}", DeleteCategory).RequirePermission(Permissions.KnowledgeBase, Operation.Delete);
        return api;
    }

    private static readonly ListFields<KnowledgeCategory> ListFields = new ListFields<KnowledgeCategory>()
        .Filter("name", c => c.Name)
        .Sort("name", c => c.Name)
        .Sort("position", c => c.Position);

    public static async Task<Results<Ok<CursorPage<CategoryResponse>>, ValidationProblem>> ListCategories(
        ServiceDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        if (!ListQuery<KnowledgeCategory>.TryParse(request.Query, ListFields, out var list, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await list.ToPageAsync(db.KnowledgeCategories.AsNoTracking(), CategoryResponse.From, cancellationToken));
    }

    public static async Task<Results<Ok<CategoryResponse>, ProblemHttpResult>> GetCategory(
        Guid id, ServiceDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var category = await db.KnowledgeCategories.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (category is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, category.Version);
        return TypedResults.Ok(CategoryResponse.From(category));
    }

    public static async Task<Results<Created<CategoryResponse>, ValidationProblem, ProblemHttpResult>> CreateCategory(
        CategoryRequest request, ServiceDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var category = new KnowledgeCategory();
        request.ApplyTo(category);
        db.KnowledgeCategories.Add(category);
        if (await SaveAsync(db, category, cancellationToken) is { } problem)
        {
            return problem;
        }
        ETags.Set(response, category.Version);
        return TypedResults.Created($"/api/v1/knowledge/categories/{category.Id}", CategoryResponse.From(category));
    }

    public static async Task<Results<Ok<CategoryResponse>, ValidationProblem, ProblemHttpResult>> UpdateCategory(
        Guid id, CategoryRequest request, ServiceDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var category = await db.KnowledgeCategories.SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (category is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, category.Version, out _) is { } precondition)
        {
            return precondition;
        }
        request.ApplyTo(category);
        if (await SaveAsync(db, category, cancellationToken) is { } problem)
        {
            return problem;
        }
        ETags.Set(http.Response, category.Version);
        return TypedResults.Ok(CategoryResponse.From(category));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteCategory(
        Guid id, ServiceDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        var category = await db.KnowledgeCategories.SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (category is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(request, category.Version, out _) is { } precondition)
        {
            return precondition;
        }
        db.KnowledgeCategories.Remove(category);
        return await SaveAsync(db, category, cancellationToken) ?? (Results<NoContent, ProblemHttpResult>)TypedResults.NoContent();
    }

    private static async Task<ProblemHttpResult?> SaveAsync(ServiceDbContext db, KnowledgeCategory category, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, category.Id);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return ApiProblems.Conflict($"A knowledge category named '{category.Name}' already exists.");
        }
        catch (DbUpdateException ex) when (ex.IsForeignKeyViolation())
        {
            return ApiProblems.Conflict("The category still has articles; move or delete them first.");
        }
    }
}
