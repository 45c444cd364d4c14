using System.Security.Cryptography;
using System.Text.Json;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.Service.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;

namespace CrmPlatform.Service.Knowledge;

public sealed record PublicArticleSummary(Guid Id, string Title, string? Summary, string Language, Guid? CategoryId, DateTime PublishedAt);

public sealed record PublicTranslation(Guid Id, string Language, string Title);

/// <summary>An article as the public sees it: its published text as safe HTML, nothing about who wrote it or its drafts.</summary>
public sealed record PublicArticle(
    Guid Id, string Title, string? Summary, string Html, string Language, Guid? CategoryId, int Revision, DateTime PublishedAt,
    IReadOnlyList<PublicTranslation> Translations);

public sealed record PublicCategory(Guid Id, string Name, string? Description, int Position);

public sealed record PublicSearchHit(Guid Id, string Title, string? Summary, string Language, Guid? CategoryId, double Score, string Snippet);

/// <summary>
/// <c>/api/v1/help-centre/{tenantId}/…</c>: a tenant's published articles for its public help centre, anonymous. The
/// tenant is named in the path (there is no token to take it from) and becomes the request's tenant, so the usual tenant
/// filter applies to every query: another tenant's articles, and drafts, answer 404 or are absent from lists. Answers
/// carry an ETag over their content and may be cached briefly by browsers and proxies; a matching If-None-Match is 304.
/// </summary>
public static class HelpCentreApi
{
    private const string CacheControl = "public, max-age=60";

    public static RouteGroupBuilder MapHelpCentreApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/help-centre/{tenantId:guid}").WithTags("Help centre").AllowAnonymous();
        api.MapGet("/articles", ListArticles).Lists(ListFields).WithName("listHelpCentreArticles");
        api.MapGet("/articles/{id:guid}", GetArticle).WithName("getHelpCentreArticle")
            .Produces(StatusCodes.Status304NotModified).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/categories", ListCategories).WithName("listHelpCentreCategories");
        api.MapGet("/search", Search).WithName("searchHelpCentre");
        return api;
    }

    private static readonly ListFields<KnowledgeArticle> ListFields = new ListFields<KnowledgeArticle>()
        .Filter("language", a => a.Language)
        .Filter("categoryId", a => a.CategoryId)
        .Sort("title", a => a.Title)
        .Sort("updatedAt", a => a.UpdatedAt);

    public static async Task<Results<Ok<CursorPage<PublicArticleSummary>>, StatusCodeHttpResult, ValidationProblem>> ListArticles(
        Guid tenantId, TenantContext tenant, ServiceDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        ActAs(tenant, tenantId);
        if (!ListQuery<KnowledgeArticle>.TryParse(http.Request.Query, ListFields, out var list, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        var page = await list.ToPageAsync(Published(db), a => new PublicArticleSummary(a.Id, a.Title, a.Summary, a.Language, a.CategoryId, a.PublishedAt!.Value), cancellationToken);
        var body = page;
        return NotModified(http, body) ? TypedResults.StatusCode(StatusCodes.Status304NotModified) : TypedResults.Ok(body);
    }

    public static async Task<Results<Ok<PublicArticle>, StatusCodeHttpResult, ProblemHttpResult>> GetArticle(
        Guid tenantId, Guid id, TenantContext tenant, ServiceDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        ActAs(tenant, tenantId);
        var article = await Published(db).SingleOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (article is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No published article with id '{id}'.");
        }
        var translations = await Published(db).Where(a => a.TranslationGroupId == article.TranslationGroupId && a.Id != id)
            .OrderBy(a => a.Language).Select(a => new PublicTranslation(a.Id, a.Language, a.Title)).ToListAsync(cancellationToken);
        var body = new PublicArticle(article.Id, article.Title, article.Summary, article.BodyHtml, article.Language, article.CategoryId,
            article.Revision, article.PublishedAt!.Value, translations);
        return NotModified(http, body) ? TypedResults.StatusCode(StatusCodes.Status304NotModified) : TypedResults.Ok(body);
    }

    public static async Task<Results<Ok<ItemList<PublicCategory>>, StatusCodeHttpResult>> ListCategories(
        Guid tenantId, TenantContext tenant, ServiceDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        ActAs(tenant, tenantId);
        var categories = await db.KnowledgeCategories.AsNoTracking().OrderBy(c => c.Position).ThenBy(c => c.Name)
            .Select(c => new PublicCategory(c.Id, c.Name, c.Description, c.Position)).ToListAsync(cancellationToken);
        var body = new ItemList<PublicCategory>(categories);
        return NotModified(http, body) ? TypedResults.StatusCode(StatusCodes.Status304NotModified) : TypedResults.Ok(body);
    }

    public static async Task<Results<Ok<ItemList<PublicSearchHit>>, StatusCodeHttpResult, ValidationProblem>> Search(
        Guid tenantId, string? q, string? language, int? limit, TenantContext tenant, ArticleSearch search, HttpContext http, CancellationToken cancellationToken)
    {
        ActAs(tenant, tenantId);
        var errors = new FieldErrors()
            .Required("q", q, ArticlesApi.QueryMaxLength)
            .When(language is not null && !ArticleLanguages.All.Contains(language), "language", $"language must be one of: {string.Join(", ", ArticleLanguages.All)}.")
            .When(limit is < 1 or > 50, "limit", "limit is from 1 to 50.");
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        IReadOnlyList<ArticleHit> hits = SearchTerms.AllOf(q, lastIsPrefix: true) is { } query
            ? await search.SearchAsync(new ArticleSearchQuery(query, language, ArticleStatuses.Published, Limit: limit ?? 10), cancellationToken)
            : [];
        var body = new ItemList<PublicSearchHit>(
            hits.Select(h => new PublicSearchHit(h.Id, h.Title, h.Summary, h.Language, h.CategoryId, h.Score, h.Snippet)).ToList());
        return NotModified(http, body) ? TypedResults.StatusCode(StatusCodes.Status304NotModified) : TypedResults.Ok(body);
    }

    /// <summary>The help centre's tenant is the one in the path; nobody in particular acts.</summary>
    private static void ActAs(TenantContext tenant, Guid tenantId)
    {
        tenant.TenantId = tenantId;
        tenant.ActorId = null;
        tenant.SeesWholeTenant = true;
    }

    private static IQueryable<KnowledgeArticle> Published(ServiceDbContext db) =>
        db.KnowledgeArticles.AsNoTracking().Where(a => a.Status == ArticleStatuses.Published);

    /// <summary>Sets the ETag of the body and the caching headers; true when the client already has that body (304).</summary>
    private static bool NotModified<T>(HttpContext http, T body)
    {
        var hash = SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(body, JsonSerializerOptions.Web));
        var etag = $"\"{Convert.ToHexStringLower(hash)[..32]}\"";
        http.Response.Headers.ETag = etag;
        http.Response.Headers.CacheControl = CacheControl;
        // Varies with nothing but the URL: no token, no language negotiation.
        return EntityTagHeaderValue.TryParseList([.. http.Request.Headers.IfNoneMatch.OfType<string>()], out var tags)
            && tags.Any(tag => tag.Tag.Value == etag || tag.Equals(EntityTagHeaderValue.Any));
    }
}
