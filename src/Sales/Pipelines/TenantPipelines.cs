using CrmPlatform.Persistence;
using CrmPlatform.Sales.Data;
using CrmPlatform.Sales.Model;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Pipelines;

/// <summary>
/// The pipelines opportunities are written into. A tenant without any gets <see cref="Pipeline.Seeded"/> as its
/// default on first use (listing pipelines, or an opportunity naming none); tenants that had opportunities before
/// pipelines existed got it from the migration <c>Pipelines</c>.
/// </summary>
public static class TenantPipelines
{
    /// <summary>
    /// The pipeline a write names, else the opportunity's own, else the tenant's default. Null when the named one is
    /// not the tenant's. Call it before changing tracked records: seeding the default saves.
    /// </summary>
    public static async Task<Pipeline?> ForAsync(SalesDbContext db, Guid? pipelineId, Opportunity? current, CancellationToken cancellationToken) =>
        (pipelineId ?? current?.PipelineId) is { } id
            ? await db.Pipelines.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, cancellationToken)
            : await DefaultAsync(db, cancellationToken);

    public static async Task<Pipeline> DefaultAsync(SalesDbContext db, CancellationToken cancellationToken)
    {
        if (await db.Pipelines.AsNoTracking().SingleOrDefaultAsync(p => p.IsDefault, cancellationToken) is { } found)
        {
            return found;
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await LockDefaultAsync(db, cancellationToken);
        if (await db.Pipelines.AsNoTracking().SingleOrDefaultAsync(p => p.IsDefault, cancellationToken) is { } seededMeanwhile)
        {
            return seededMeanwhile;
        }
        var seeded = Pipeline.Seeded();
        db.Pipelines.Add(seeded);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return seeded;
    }

    /// <summary>
    /// Changes to which pipeline is the tenant's default run one at a time (until the caller's transaction ends), so
    /// that two of them, or one and the seeding, never both find "no default" or both clear the old one.
    /// </summary>
    public static Task LockDefaultAsync(SalesDbContext db, CancellationToken cancellationToken) =>
        db.LockForTransactionAsync("default-pipeline:" + db.CurrentTenantId, cancellationToken);

    /// <summary>
    /// A pipeline to change, locked until the caller's transaction ends: opportunities entering one of its stages wait
    /// (<see cref="StillHasStageAsync"/>), so the stages counted as in use stay so until the change commits.
    /// </summary>
    public static async Task<Pipeline?> LockForChangeAsync(SalesDbContext db, Guid id, CancellationToken cancellationToken) =>
        (await db.Pipelines
            .FromSql($"SELECT * FROM pipelines WHERE id = {id} AND tenant_id = {db.CurrentTenantId} FOR UPDATE")
            .IgnoreQueryFilters()
            .ToListAsync(cancellationToken)).SingleOrDefault();

    /// <summary>
    /// Whether the pipeline still has <paramref name="stage"/>, of the same kind, holding it (FOR SHARE) until the
    /// caller's transaction ends: a change removing the stage either has committed, and this sees it, or waits for the
    /// opportunity to be in the stage, and then counts it.
    /// </summary>
    public static async Task<bool> StillHasStageAsync(SalesDbContext db, Guid pipelineId, PipelineStage stage, CancellationToken cancellationToken)
    {
        var pipeline = (await db.Pipelines
            .FromSql($"SELECT * FROM pipelines WHERE id = {pipelineId} AND tenant_id = {db.CurrentTenantId} FOR SHARE")
            .IgnoreQueryFilters()
            .AsNoTracking()
            .ToListAsync(cancellationToken)).SingleOrDefault();
        return pipeline?.StageOf(stage.Key)?.Kind == stage.Kind;
    }

    public static ProblemHttpResult Unknown(Guid pipelineId) => ApiProblems.Unprocessable(
        $"There is no pipeline with id '{pipelineId}'.",
        new Dictionary<string, string[]> { ["pipelineId"] = [$"Unknown pipeline '{pipelineId}'."] });
}
