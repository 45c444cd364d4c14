using CrmPlatform.Persistence.Paging;
using CrmPlatform.Sales.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Forecast;

public sealed record ForecastSnapshotResponse(Guid Id, DateOnly WeekOf, DateTime TakenAt);

/// <summary>
/// A snapshot beside what happened since: for each period, the forecast as it stood that week (<c>forecast</c>) and
/// what has closed won in the period by now (in <c>actual</c>'s <c>closedWon</c>), per owner or team and currency.
/// </summary>
public sealed record ForecastComparisonResponse(ForecastSnapshotResponse Snapshot, ForecastResponse Forecast);

internal static class ForecastSnapshotsApi
{
    public static async Task<Results<Ok<CursorPage<ForecastSnapshotResponse>>, ValidationProblem>> ListSnapshots(
        int? limit, string? cursor, SalesDbContext db, CancellationToken cancellationToken)
    {
        if (!PageRequest.TryParse(limit, cursor, out var page, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await db.ForecastSnapshots.AsNoTracking()
            .ToCursorPageAsync(page, s => new ForecastSnapshotResponse(s.Id, s.WeekOf, s.CreatedAt), cancellationToken));
    }

    /// <summary>
    /// The snapshot's open deals (as forecast then, by expected close date) with the deals won in the same periods
    /// since, rolled up as the live forecast is; the caller's forecast scope applies to both.
    /// </summary>
    public static async Task<Results<Ok<ForecastComparisonResponse>, ValidationProblem, ProblemHttpResult>> CompareSnapshot(
        Guid id, string? period, DateOnly? from, DateOnly? to, string? groupBy, SalesDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var snapshot = await db.ForecastSnapshots.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (snapshot is null)
        {
            return ApiProblems.NotFound("forecast snapshot", id);
        }
        groupBy ??= ForecastRollup.ByOwner;
        var errors = ForecastApi.Periods(period, from, to, snapshot.CreatedAt, out var kind, out var start, out var end)
            .When(!ForecastRollup.GroupBys.Contains(groupBy), "groupBy", "groupBy must be owner or team.");
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var scope = await ForecastScope.ForAsync(db, http.User, cancellationToken);
        var lines = await db.ForecastSnapshotLines.AsNoTracking()
            .Where(l => l.SnapshotId == id && l.Month >= start && l.Month < end && (scope.WholeTenant || scope.OwnerIds.Contains(l.OwnerId)))
            .ToListAsync(cancellationToken);
        var open = lines.Select(l => new OpenGroup(l.OwnerId, l.Month, l.Currency, l.Category, l.Count, l.Amount, l.WeightedAmount, 0, 0, 0, 0)).ToList();
        var won = await (await ForecastQuery.ForAsync(db, scope, cancellationToken)).WonAsync(start, end, null, cancellationToken);
        var quotas = await db.Quotas.AsNoTracking().Where(q => q.PeriodStart >= start && q.PeriodStart < end).ToListAsync(cancellationToken);
        return TypedResults.Ok(new ForecastComparisonResponse(new ForecastSnapshotResponse(snapshot.Id, snapshot.WeekOf, snapshot.CreatedAt),
            ForecastRollup.Build(kind, start, end, groupBy, open, won, quotas, scope.Teams)));
    }
}
