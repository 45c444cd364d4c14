using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.Service.Data;
using CrmPlatform.Service.Knowledge;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Templating;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Service.CannedResponses;

public sealed record CannedResponseRequest(string? Name, string? Body, string? Format, string? Language, bool? Shared)
{
    public FieldErrors Validate() => new FieldErrors()
        .Required("name", Name, CannedResponse.NameMaxLength)
        .Required("body", Body, CannedResponse.BodyMaxLength)
        .When(Format is not null && !ResponseFormats.All.Contains(Format), "format", $"format must be one of: {string.Join(", ", ResponseFormats.All)}.")
        .When(Language is null || !ArticleLanguages.All.Contains(Language), "language", $"language must be one of: {string.Join(", ", ArticleLanguages.All)}.");

    public void ApplyTo(CannedResponse response, string? actor)
    {
        response.Name = Name!.Trim();
        response.Body = Body!;
        response.Format = Format ?? ResponseFormats.Text;
        response.Language = Language!;
        response.OwnerId = Shared ?? true ? null : actor;
    }
}

public sealed record CannedResponseResponse(
    Guid Id, string Name, string Body, string Format, string Language, bool Shared, string? OwnerId,
    DateTime CreatedAt, string? CreatedBy, DateTime UpdatedAt, string? UpdatedBy, int Version)
{
    public static CannedResponseResponse From(CannedResponse r) => new(
        r.Id, r.Name, r.Body, r.Format, r.Language, r.OwnerId is null, r.OwnerId, r.CreatedAt, r.CreatedBy, r.UpdatedAt, r.UpdatedBy, r.Version);
}

public sealed record RenderedResponse(string Body, string Format, string Language);

/// <summary>
/// <c>/api/v1/canned-responses</c>: reusable replies. A body that does not parse as Liquid is refused (422 naming line
/// and column); <c>POST …/{id}/render</c> fills one in with a ticket's fields (<see cref="TemplateModel"/>). Personal
/// responses are visible to their owner only: anyone else gets 404, as for another tenant's.
/// </summary>
public static class CannedResponsesApi
{
    private const string Resource = "canned response";

    public static RouteGroupBuilder MapCannedResponsesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/canned-responses").WithTags("Canned responses");
        api.MapGet("/", ListResponses).Lists(ListFields).RequirePermission(Permissions.CannedResponses, Operation.Read);
        api.MapGet("/fields", ListFieldsOfModel).RequirePermission(Permissions.CannedResponses, Operation.Read);
        api.MapGet("/{id:guid}", GetResponse).RequirePermission(Permissions.CannedResponses, Operation.Read);
        api.MapPost("/", CreateResponse).RequirePermission(Permissions.CannedResponses, Operation.Create);
        api.MapPut("/{id:guid}", UpdateResponse).RequirePermission(Permissions.CannedResponses, Operation.Update);
        api.MapDelete("/{id:guid}", DeleteResponse).RequirePermission(Permissions.CannedResponses, Operation.Delete);
        api.MapPost("/{id:guid}/render", Render).RequirePermission(Permissions.CannedResponses, Operation.Read)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return api;
    }

    private static readonly ListFields<CannedResponse> ListFields = new ListFields<CannedResponse>()
        .Filter("language", r => r.Language)
        .Filter("format", r => r.Format)
        .Filter("shared", value => bool.TryParse(value, out var shared)
            ? shared ? r => r.OwnerId == null : r => r.OwnerId != null
            : null)
        .Sort("name", r => r.Name)
        .Sort("updatedAt", r => r.UpdatedAt);

    /// <summary>Shared responses and the caller's own.</summary>
    private static IQueryable<CannedResponse> Visible(ServiceDbContext db)
    {
        var actor = db.CurrentActorId;
        return db.CannedResponses.Where(r => r.OwnerId == null || r.OwnerId == actor);
    }

    public static async Task<Results<Ok<CursorPage<CannedResponseResponse>>, ValidationProblem>> ListResponses(
        ServiceDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        if (!ListQuery<CannedResponse>.TryParse(request.Query, ListFields, out var list, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await list.ToPageAsync(Visible(db).AsNoTracking(), CannedResponseResponse.From, cancellationToken));
    }

    /// <summary>The placeholders templates may use, grouped by object: <c>{{ requester.first_name }}</c>.</summary>
    public static Ok<IReadOnlyDictionary<string, IReadOnlyList<string>>> ListFieldsOfModel() => TypedResults.Ok(TemplateModel.Fields);

    public static async Task<Results<Ok<CannedResponseResponse>, ProblemHttpResult>> GetResponse(
        Guid id, ServiceDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var canned = await Visible(db).AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (canned is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, canned.Version);
        return TypedResults.Ok(CannedResponseResponse.From(canned));
    }

    public static async Task<Results<Created<CannedResponseResponse>, ValidationProblem, ProblemHttpResult>> CreateResponse(
        CannedResponseRequest request, ServiceDbContext db, CannedResponseRenderer renderer, HttpResponse response, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (SyntaxError(renderer.Check(request.Body!)) is { } syntax)
        {
            return syntax;
        }
        var canned = new CannedResponse();
        request.ApplyTo(canned, db.CurrentActorId);
        db.CannedResponses.Add(canned);
        if (await SaveAsync(db, canned, cancellationToken) is { } problem)
        {
            return problem;
        }
        ETags.Set(response, canned.Version);
        return TypedResults.Created($"/api/v1/canned-responses/{canned.Id}", CannedResponseResponse.From(canned));
    }

    public static async Task<Results<Ok<CannedResponseResponse>, ValidationProblem, ProblemHttpResult>> UpdateResponse(
        Guid id, CannedResponseRequest request, ServiceDbContext db, CannedResponseRenderer renderer, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var canned = await Visible(db).SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (canned is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, canned.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (SyntaxError(renderer.Check(request.Body!)) is { } syntax)
        {
            return syntax;
        }
        // Making a shared response personal takes it from every other agent: only its author may.
        if (canned.OwnerId is null && request.Shared == false && canned.CreatedBy != db.CurrentActorId)
        {
            return ApiProblems.Conflict("Only the author of a shared canned response can make it personal; copy it instead.");
        }
        request.ApplyTo(canned, db.CurrentActorId);
        if (await SaveAsync(db, canned, cancellationToken) is { } problem)
        {
            return problem;
        }
        ETags.Set(http.Response, canned.Version);
        return TypedResults.Ok(CannedResponseResponse.From(canned));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteResponse(
        Guid id, ServiceDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        var canned = await Visible(db).SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (canned is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(request, canned.Version, out _) is { } precondition)
        {
            return precondition;
        }
        db.CannedResponses.Remove(canned);
        return await SaveAsync(db, canned, cancellationToken) ?? (Results<NoContent, ProblemHttpResult>)TypedResults.NoContent();
    }

    /// <summary>Fills the response in; fields the caller leaves out render as nothing (or as the template's <c>default</c>).</summary>
    public static async Task<Results<Ok<RenderedResponse>, ProblemHttpResult>> Render(
        Guid id, TemplateModel model, ServiceDbContext db, CannedResponseRenderer renderer, CancellationToken cancellationToken)
    {
        var canned = await Visible(db).AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (canned is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        try
        {
            return TypedResults.Ok(new RenderedResponse(await renderer.RenderAsync(canned.Body, canned.Format, model), canned.Format, canned.Language));
        }
        catch (TemplateRenderException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Template failed",
                detail: $"The canned response could not be rendered: {ex.Message}");
        }
    }

    private static ProblemHttpResult? SyntaxError(TemplateCheck check) => check.IsValid ? null : TypedResults.Problem(
        statusCode: StatusCodes.Status422UnprocessableEntity, title: "Template syntax error",
        detail: check.Line is { } line ? $"The body is not a valid Liquid template (line {line}, column {check.Column}): {check.Message}" : $"The body is not a valid Liquid template: {check.Message}",
        extensions: new Dictionary<string, object?>
        {
            ["line"] = check.Line,
            ["column"] = check.Column,
            ["errors"] = new Dictionary<string, string[]> { ["body"] = [check.Message ?? "Syntax error."] },
        });

    private static async Task<ProblemHttpResult?> SaveAsync(ServiceDbContext db, CannedResponse canned, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, canned.Id);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return ApiProblems.Conflict($"A canned response named '{canned.Name}' in '{canned.Language}' already exists{(canned.OwnerId is null ? "" : " among yours")}.");
        }
    }
}
