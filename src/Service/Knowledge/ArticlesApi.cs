using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.Service.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Service.Knowledge;

/// <summary>
/// <c>/api/v1/knowledge/articles</c>: the knowledge base as agents write it. Drafts are theirs to see; publishing (status
/// <c>published</c>) puts an article in the help centre and keeps that text as a numbered revision, so every later
/// published change leaves the one before readable under <c>…/versions</c>.
/// </summary>
public static class ArticlesApi
{
    private const string Resource = "knowledge article";
    public const int QueryMaxLength = 500;

    public static RouteGroupBuilder MapArticlesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/knowledge").WithTags("Knowledge base");
        api.MapGet("/articles", ListArticles).Lists(ListFields).RequirePermission(Permissions.KnowledgeBase, Operation.Read);
        api.MapGet("/articles/search", SearchArticles).RequirePermission(Permissions.KnowledgeBase, Operation.Read);
        api.MapGet("/articles/{id:guid}", GetArticle).RequirePermission(Permissions.KnowledgeBase, Operation.Read);
        api.MapGet("/articles/{id:guid}/versions", ListVersions).RequirePermission(Permissions.KnowledgeBase, Operation.Read);
        api.MapGet("/articles/{id:guid}/versions/{number:int}", GetVersion).RequirePermission(Permissions.KnowledgeBase, Operation.Read);
        api.MapGet("/articles/{id:guid}/translations", ListTranslations).RequirePermission(Permissions.KnowledgeBase, Operation.Read);
        api.MapPost("/articles", CreateArticle).RequirePermission(Permissions.KnowledgeBase, Operation.Create);
        api.MapPut("/articles/{id:guid}", UpdateArticle).RequirePermission(Permissions.KnowledgeBase, Operation.Update);
        api.MapDelete("/articles/{id:guid}", DeleteArticle).RequirePermission(Permissions.KnowledgeBase, Operation.Delete);
        api.MapPost("/suggestions", Suggest).RequirePermission(Permissions.KnowledgeBase, Operation.Read);
        return api;
    }

    private static readonly ListFields<KnowledgeArticle> ListFields = new ListFields<KnowledgeArticle>()
        .Filter("status", a => a.Status)
        .Filter("language", a => a.Language)
        .Filter("categoryId", a => a.CategoryId)
        .Filter("translationGroupId", a => a.TranslationGroupId)
        .Sort("updatedAt", a => a.UpdatedAt)
        .Sort("title", a => a.Title);

    public static async Task<Results<Ok<CursorPage<ArticleResponse>>, ValidationProblem>> ListArticles(
        ServiceDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        if (!ListQuery<KnowledgeArticle>.TryParse(request.Query, ListFields, out var list, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await list.ToPageAsync(db.KnowledgeArticles.AsNoTracking(), ArticleResponse.From, cancellationToken));
    }

    /// <summary><c>?q=</c> all words (the last as a prefix unless <c>prefix=false</c>), best first, with snippets.</summary>
    public static async Task<Results<Ok<ItemList<ArticleHit>>, ValidationProblem>> SearchArticles(
        string? q, string? language, string? status, Guid? categoryId, bool? prefix, int? limit, ArticleSearch search, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors()
            .Required("q", q, QueryMaxLength)
            .When(language is not null && !ArticleLanguages.All.Contains(language), "language", $"language must be one of: {string.Join(", ", ArticleLanguages.All)}.")
            .When(status is not null && !ArticleStatuses.All.Contains(status), "status", $"status must be one of: {string.Join(", ", ArticleStatuses.All)}.")
            .When(limit is < 1 or > ArticleSearch.MaxLimit, "limit", $"limit is from 1 to {ArticleSearch.MaxLimit}.");
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (SearchTerms.AllOf(q, prefix ?? true) is not { } query)
        {
            return TypedResults.Ok(new ItemList<ArticleHit>([]));
        }
        return TypedResults.Ok(new ItemList<ArticleHit>(
            await search.SearchAsync(new ArticleSearchQuery(query, language, status, categoryId, limit ?? 20), cancellationToken)));
    }

    public static async Task<Results<Ok<ArticleResponse>, ProblemHttpResult>> GetArticle(
        Guid id, ServiceDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var article = await db.KnowledgeArticles.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (article is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, article.Version);
        return TypedResults.Ok(ArticleResponse.From(article));
    }

    public static async Task<Results<Ok<ItemList<RevisionSummary>>, ProblemHttpResult>> ListVersions(
        Guid id, ServiceDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.KnowledgeArticles.AnyAsync(a => a.Id == id, cancellationToken))
        {
            return ApiProblems.NotFound(Resource, id);
        }
        var revisions = await db.KnowledgeArticleRevisions.AsNoTracking().Where(r => r.ArticleId == id).OrderByDescending(r => r.Number)
            .Select(r => new RevisionSummary(r.Number, r.Title, r.Language, r.PublishedAt, r.PublishedBy)).ToListAsync(cancellationToken);
        return TypedResults.Ok(new ItemList<RevisionSummary>(revisions));
    }

    public static async Task<Results<Ok<RevisionResponse>, ProblemHttpResult>> GetVersion(
        Guid id, int number, ServiceDbContext db, CancellationToken cancellationToken)
    {
        var revision = await db.KnowledgeArticleRevisions.AsNoTracking().SingleOrDefaultAsync(r => r.ArticleId == id && r.Number == number, cancellationToken);
        return revision is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No version {number} of knowledge article '{id}'.")
            : TypedResults.Ok(RevisionResponse.From(revision));
    }

    public static async Task<Results<Ok<ItemList<TranslationResponse>>, ProblemHttpResult>> ListTranslations(
        Guid id, ServiceDbContext db, CancellationToken cancellationToken)
    {
        var group = await db.KnowledgeArticles.Where(a => a.Id == id).Select(a => (Guid?)a.TranslationGroupId).SingleOrDefaultAsync(cancellationToken);
        if (group is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        var translations = await db.KnowledgeArticles.AsNoTracking().Where(a => a.TranslationGroupId == group && a.Id != id)
            .OrderBy(a => a.Language).Select(a => new TranslationResponse(a.Id, a.Language, a.Title, a.Status)).ToListAsync(cancellationToken);
        return TypedResults.Ok(new ItemList<TranslationResponse>(translations));
    }

    public static async Task<Results<Created<ArticleResponse>, ValidationProblem, ProblemHttpResult>> CreateArticle(
        ArticleRequest request, ServiceDbContext db, TimeProvider clock, HttpResponse response, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (await CheckCategoryAsync(db, request.CategoryId, cancellationToken) is { } unknownCategory)
        {
            return unknownCategory;
        }
        var article = new KnowledgeArticle();
        article.TranslationGroupId = article.Id;
        if (request.TranslationOf is { } original)
        {
            var group = await db.KnowledgeArticles.Where(a => a.Id == original).Select(a => (Guid?)a.TranslationGroupId).SingleOrDefaultAsync(cancellationToken);
            if (group is null)
            {
                return ApiProblems.Unprocessable("The article to translate does not exist.",
                    new Dictionary<string, string[]> { ["translationOf"] = [$"No knowledge article with id '{original}'."] });
            }
            article.TranslationGroupId = group.Value;
        }
        request.ApplyTo(article);
        db.KnowledgeArticles.Add(article);
        if (article.IsPublished)
        {
            Publish(db, article, clock);
        }
        if (await SaveAsync(db, article, cancellationToken) is { } conflict)
        {
            return conflict;
        }
        ETags.Set(response, article.Version);
        return TypedResults.Created($"/api/v1/knowledge/articles/{article.Id}", ArticleResponse.From(article));
    }

    public static async Task<Results<Ok<ArticleResponse>, ValidationProblem, ProblemHttpResult>> UpdateArticle(
        Guid id, ArticleRequest request, ServiceDbContext db, TimeProvider clock, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = request.Validate().When(request.TranslationOf is not null, "translationOf", "translationOf is set when an article is created.");
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var article = await db.KnowledgeArticles.SingleOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (article is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, article.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (await CheckCategoryAsync(db, request.CategoryId, cancellationToken) is { } unknownCategory)
        {
            return unknownCategory;
        }
        var republish = request.ChangesContentOf(article) || !article.IsPublished;
        request.ApplyTo(article);
        if (article.IsPublished && republish)
        {
            Publish(db, article, clock);
        }
        if (await SaveAsync(db, article, cancellationToken) is { } conflict)
        {
            return conflict;
        }
        ETags.Set(http.Response, article.Version);
        return TypedResults.Ok(ArticleResponse.From(article));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteArticle(
        Guid id, ServiceDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        var article = await db.KnowledgeArticles.SingleOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (article is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(request, article.Version, out _) is { } precondition)
        {
            return precondition;
        }
        // Through the change tracker, so the delete is audited and only the version the client saw goes.
        db.KnowledgeArticles.Remove(article);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, id);
        }
        return TypedResults.NoContent();
    }

    /// <summary><c>POST /api/v1/knowledge/suggestions</c>: published articles that may answer a ticket's text.</summary>
    public static async Task<Results<Ok<ItemList<ArticleSuggestion>>, ValidationProblem>> Suggest(
        SuggestionRequest request, ArticleSuggester suggester, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var suggestions = await suggester.SuggestAsync(request.Subject, request.Description, request.Language,
            request.Limit ?? ArticleSuggester.DefaultLimit, cancellationToken);
        return TypedResults.Ok(new ItemList<ArticleSuggestion>(suggestions));
    }

    /// <summary>A new published state: the next revision, kept, and announced in the same commit.</summary>
    private static void Publish(ServiceDbContext db, KnowledgeArticle article, TimeProvider clock)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        article.Revision++;
        article.PublishedAt = now;
        db.KnowledgeArticleRevisions.Add(article.Snapshot(now, db.Actor));
        db.Stamp();
        db.AddEvent(article.Published());
    }

    private static async Task<ProblemHttpResult?> SaveAsync(ServiceDbContext db, KnowledgeArticle article, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, article.Id);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return ApiProblems.Conflict($"The article already has a translation in '{article.Language}'.",
                new Dictionary<string, object?> { ["translationGroupId"] = article.TranslationGroupId });
        }
        catch (DbUpdateException ex) when (ex.IsForeignKeyViolation())
        {
            return ApiProblems.Unprocessable("The category was deleted.", new Dictionary<string, string[]> { ["categoryId"] = ["The category no longer exists."] });
        }
    }

    private static async Task<ProblemHttpResult?> CheckCategoryAsync(ServiceDbContext db, Guid? categoryId, CancellationToken cancellationToken) =>
        categoryId is { } id && !await db.KnowledgeCategories.AnyAsync(c => c.Id == id, cancellationToken)
            ? ApiProblems.Unprocessable("The category does not exist.", new Dictionary<string, string[]> { ["categoryId"] = [$"No knowledge category with id '{id}'."] })
            : null;
}
