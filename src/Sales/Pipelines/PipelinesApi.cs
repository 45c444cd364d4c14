using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.Sales.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Pipelines;

/// <summary>
/// <c>/api/v1/pipelines</c>: a tenant's sales processes and their boards. Every Sales reader reads them; admins and
/// sales managers define them. A stage that opportunities are in cannot be removed or change its kind, and a pipeline
/// with opportunities cannot be deleted (409 with how many): move them first.
/// </summary>
public static class PipelinesApi
{
    private const string Resource = "pipeline";

    public static RouteGroupBuilder MapPipelinesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/pipelines").WithTags("Pipelines");
        api.MapGet("/", ListPipelines).Lists(ListFields).RequirePermission(Permissions.Pipelines, Operation.Read);
        api.MapGet("/{id:guid}", GetPipeline).RequirePermission(Permissions.Pipelines, Operation.Read);
        api.MapGet("/{id:guid}/board", GetBoard).RequirePermission(Permissions.Pipelines, Operation.Read);
        api.MapPost("/", CreatePipeline).RequirePermission(Permissions.Pipelines, Operation.Create);
        api.MapPut("/{id:guid}", UpdatePipeline).RequirePermission(Permissions.Pipelines, Operation.Update);
        api.MapDelete("/{id:guid}", DeletePipeline).RequirePermission(Permissions.Pipelines, Operation.Delete);
        return api;
    }

    private static readonly ListFields<Pipeline> ListFields = new ListFields<Pipeline>()
        .Filter("name", p => p.Name)
        .Filter("isDefault", p => p.IsDefault)
        .Sort("name", p => p.Name)
        .Sort("updatedAt", p => p.UpdatedAt);

    public static async Task<Results<Ok<CursorPage<PipelineResponse>>, ValidationProblem>> ListPipelines(
        SalesDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        if (!ListQuery<Pipeline>.TryParse(request.Query, ListFields, out var list, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        await TenantPipelines.DefaultAsync(db, cancellationToken);
        return TypedResults.Ok(await list.ToPageAsync(db.Pipelines.AsNoTracking(), PipelineResponse.From, cancellationToken));
    }

    public static async Task<Results<Ok<PipelineResponse>, ProblemHttpResult>> GetPipeline(
        Guid id, SalesDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var pipeline = await db.Pipelines.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (pipeline is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, pipeline.Version);
        return TypedResults.Ok(PipelineResponse.From(pipeline));
    }

    public static async Task<Results<Ok<PipelineBoard>, ProblemHttpResult>> GetBoard(Guid id, SalesDbContext db, CancellationToken cancellationToken)
    {
        var pipeline = await db.Pipelines.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, cancellationToken);
        return pipeline is null ? ApiProblems.NotFound(Resource, id) : TypedResults.Ok(await PipelineBoard.ForAsync(db, pipeline, cancellationToken));
    }

    /// <summary>A tenant's first pipeline is its default whatever the request says: there is always exactly one.</summary>
    public static async Task<Results<Created<PipelineResponse>, ValidationProblem, ProblemHttpResult>> CreatePipeline(
        PipelineRequest request, SalesDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        if (request.Read(out var errors) is not { } pipeline)
        {
            return TypedResults.ValidationProblem(errors);
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await TenantPipelines.LockDefaultAsync(db, cancellationToken);
        var currentDefault = await db.Pipelines.SingleOrDefaultAsync(p => p.IsDefault, cancellationToken);
        pipeline.IsDefault |= currentDefault is null;
        if (pipeline.IsDefault && currentDefault is not null && await TakeDefaultFromAsync(db, currentDefault, cancellationToken) is { } taken)
        {
            return taken;
        }
        db.Pipelines.Add(pipeline);
        if (await SaveAsync(db, pipeline, cancellationToken) is { } problem)
        {
            return problem;
        }
        await transaction.CommitAsync(cancellationToken);
        ETags.Set(response, pipeline.Version);
        return TypedResults.Created($"/api/v1/pipelines/{pipeline.Id}", PipelineResponse.From(pipeline));
    }

    public static async Task<Results<Ok<PipelineResponse>, ValidationProblem, ProblemHttpResult>> UpdatePipeline(
        Guid id, PipelineRequest request, SalesDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        if (request.Read(out var errors) is not { } changed)
        {
            return TypedResults.ValidationProblem(errors);
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await TenantPipelines.LockDefaultAsync(db, cancellationToken);
        var pipeline = await TenantPipelines.LockForChangeAsync(db, id, cancellationToken);
        if (pipeline is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, pipeline.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (pipeline.IsDefault && !changed.IsDefault)
        {
            return ApiProblems.Conflict($"'{pipeline.Name}' is the default pipeline; make another pipeline the default instead.");
        }
        if (await StagesInUseAsync(db, pipeline, changed, cancellationToken) is { } inUse)
        {
            return inUse;
        }
        if (changed.IsDefault && !pipeline.IsDefault
            && await db.Pipelines.SingleOrDefaultAsync(p => p.IsDefault, cancellationToken) is { } currentDefault
            && await TakeDefaultFromAsync(db, currentDefault, cancellationToken) is { } taken)
        {
            return taken;
        }

        pipeline.Name = changed.Name;
        pipeline.IsDefault = changed.IsDefault;
        pipeline.Stages = changed.Stages;
        if (await SaveAsync(db, pipeline, cancellationToken) is { } problem)
        {
            return problem;
        }
        await transaction.CommitAsync(cancellationToken);
        ETags.Set(http.Response, pipeline.Version);
        return TypedResults.Ok(PipelineResponse.From(pipeline));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeletePipeline(
        Guid id, SalesDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        var pipeline = await db.Pipelines.SingleOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (pipeline is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(request, pipeline.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (pipeline.IsDefault)
        {
            return ApiProblems.Conflict($"'{pipeline.Name}' is the default pipeline; make another pipeline the default before deleting it.");
        }
        var opportunities = await AllOpportunities(db).CountAsync(o => o.PipelineId == id, cancellationToken);
        if (opportunities > 0)
        {
            return ApiProblems.Conflict($"{opportunities} opportunities are in '{pipeline.Name}'; move them to another pipeline first.",
                new Dictionary<string, object?> { ["opportunities"] = opportunities });
        }
        db.Pipelines.Remove(pipeline);
        return await SaveAsync(db, pipeline, cancellationToken) is { } problem ? problem : TypedResults.NoContent();
    }

    /// <summary>409 when a stage that opportunities are in would go away or become another kind (won or lost closes them).</summary>
    private static async Task<ProblemHttpResult?> StagesInUseAsync(SalesDbContext db, Pipeline pipeline, Pipeline changed, CancellationToken cancellationToken)
    {
        var affected = pipeline.Stages.Where(stage => changed.StageOf(stage.Key)?.Kind != stage.Kind).Select(stage => stage.Key).ToList();
        if (affected.Count == 0)
        {
            return null;
        }
        var inUse = await AllOpportunities(db)
            .Where(o => o.PipelineId == pipeline.Id && affected.Contains(o.Stage))
            .GroupBy(o => o.Stage)
            .Select(g => new { Stage = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Stage, g => g.Count, cancellationToken);
        return inUse.Count == 0 ? null : ApiProblems.Conflict(
            $"Opportunities are in stages this change removes or turns into another kind ({string.Join(", ", inUse.Select(s => $"{s.Key}: {s.Value}"))}); move them first.",
            new Dictionary<string, object?> { ["stages"] = inUse });
    }

    /// <summary>Counted across the tenant, whoever owns them: an opportunity the caller cannot see still uses the pipeline.</summary>
    private static IQueryable<Model.Opportunity> AllOpportunities(SalesDbContext db) =>
        db.Opportunities.IgnoreQueryFilters().Where(o => o.TenantId == db.CurrentTenantId);

    /// <summary>Saved on its own first: the unique index on the default is checked row by row, so the old one must let go before the new one takes it.</summary>
    private static async Task<ProblemHttpResult?> TakeDefaultFromAsync(SalesDbContext db, Pipeline currentDefault, CancellationToken cancellationToken)
    {
        currentDefault.IsDefault = false;
        return await SaveAsync(db, currentDefault, cancellationToken);
    }

    private static async Task<ProblemHttpResult?> SaveAsync(SalesDbContext db, Pipeline pipeline, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, pipeline.Id);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return ApiProblems.Conflict($"There already is a pipeline named '{pipeline.Name}'.");
        }
        catch (DbUpdateException ex) when (ex.IsForeignKeyViolation())
        {
            return ApiProblems.Conflict($"Opportunities were put in '{pipeline.Name}' while this request ran; move them first.");
        }
    }
}
