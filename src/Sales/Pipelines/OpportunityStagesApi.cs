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

    public static Task<Results<Ok<OpportunityResponse>, ValidationProblem, ProblemHttpResult>> MoveOpportunity(
        Guid id, StageMoveRequest request, SalesDbContext db, HttpContext http, TimeProvider clock, CancellationToken cancellationToken) =>
        OpportunitiesApi.ChangeAsync(id, new FieldErrors().Required("stage", request.Stage, PipelineStage.KeyMaxLength),
            request.PipelineId, request.Stage, request.Loss(), _ => Task.FromResult<ProblemHttpResult?>(null), db, http, clock, cancellationToken);

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
