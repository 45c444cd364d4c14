using CrmPlatform.Persistence.Paging;
using CrmPlatform.Sales.Apis;
using CrmPlatform.Sales.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Pipelines;

/// <summary>Moves an opportunity to another stage (what a board's drag and drop sends), possibly of another pipeline.</summary>
public sealed record StageMoveRequest(string? Stage, Guid? PipelineId, string? LostReason, string? Competitor)
{
    public LossDetails Loss() => new(LostReason, Competitor);
}

public sealed record StageChangeResponse(
    Guid Id, Guid? FromPipelineId, string? FromStage, Guid PipelineId, string Stage, DateTime ChangedAt, string ChangedBy, long? SecondsInPreviousStage)
{
    public static StageChangeResponse From(OpportunityStageChange c) =>
        new(c.Id, c.FromPipelineId, c.FromStage, c.PipelineId, c.Stage, c.CreatedAt, c.ChangedBy, c.SecondsInPreviousStage);
}

/// <summary>
/// <c>PUT /api/v1/opportunities/{id}/stage</c> (with If-Match) and <c>GET …/stage-history</c>, oldest first: the
/// first entry is the creation, each later one says how long the opportunity had been in the stage it left.
/// </summary>
public static class OpportunityStagesApi
{
    private const string Resource = "opportunity";

    public static RouteGroupBuilder MapOpportunityStagesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/opportunities/{id:guid}").WithTags("Opportunities");
        api.MapPut("/stage", MoveOpportunity).RequirePermission(Permissions.Opportunities, Operation.Update);
        api.MapGet("/stage-history", ListStageHistory).RequirePermission(Permissions.Opportunities, Operation.Read);
        return api;
    }

    public static async Task<Results<Ok<OpportunityResponse>, ValidationProblem, ProblemHttpResult>> MoveOpportunity(
        Guid id, StageMoveRequest request, SalesDbContext db, HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().Required("stage", request.Stage, PipelineStage.KeyMaxLength);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var opportunity = await db.Opportunities.SingleOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (opportunity is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, opportunity.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (await TenantPipelines.ForAsync(db, request.PipelineId, opportunity, cancellationToken) is not { } pipeline)
        {
            return TenantPipelines.Unknown(request.PipelineId!.Value);
        }
        if (StageMoves.Resolve(pipeline, request.Stage, opportunity, request.Loss(), errors) is not { } stage || !errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var missing = opportunity.MoveTo(pipeline, stage, request.Loss(), db.Actor, clock.GetUtcNow().UtcDateTime);
        if (!missing.IsValid)
        {
            return StageMoves.Refused(stage, missing);
        }
        if (await OpportunitiesApi.SaveAsync(db, opportunity, stage, cancellationToken) is { } problem)
        {
            return problem;
        }
        ETags.Set(http.Response, opportunity.Version);
        return TypedResults.Ok(OpportunityResponse.From(opportunity, await OpportunitiesApi.CustomerOfAsync(db, opportunity, cancellationToken)));
    }

    public static async Task<Results<Ok<CursorPage<StageChangeResponse>>, ValidationProblem, ProblemHttpResult>> ListStageHistory(
        Guid id, int? limit, string? cursor, SalesDbContext db, CancellationToken cancellationToken)
    {
        if (!PageRequest.TryParse(limit, cursor, out var page, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        // The opportunity's record scope decides: one the caller cannot see has no history for them.
        if (!await db.Opportunities.AnyAsync(o => o.Id == id, cancellationToken))
        {
            return ApiProblems.NotFound(Resource, id);
        }
        return TypedResults.Ok(await db.OpportunityStageChanges.AsNoTracking()
            .Where(c => c.OpportunityId == id)
            .ToCursorPageAsync(page, StageChangeResponse.From, cancellationToken));
    }
}
