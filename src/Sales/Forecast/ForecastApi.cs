using CrmPlatform.Sales.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Forecast;

public sealed record HygieneFlags(bool Stale, int CloseDatePushes, bool CloseDatePushed, bool NoNextCommitment, DateTime LastActivityAt, bool NoRecentActivity);

public sealed record DealHygieneResponse(
    Guid OpportunityId, string Name, string OwnerId, Guid PipelineId, string Stage, decimal Amount, string Currency, DateOnly? ExpectedCloseDate,
    HygieneFlags Flags)
{
    public static DealHygieneResponse From(DealHygiene d, HygieneSettings settings, DateTime now) => new(
        d.Id, d.Name, d.OwnerId, d.PipelineId, d.Stage, d.Amount, d.Currency, d.ExpectedCloseDate,
        new HygieneFlags(d.Stale, d.CloseDatePushes, d.CloseDatePushes >= settings.PushedAtLeast, d.NoNextCommitment,
            d.LastActivityAt, d.LastActivityAt < now.AddDays(-settings.InactiveDays)));
}

public sealed record CloseDateChangeResponse(DateOnly? From, DateOnly? To, bool Pushed, DateTime ChangedAt, string ChangedBy);

public sealed record OpportunityHygieneResponse(DealHygieneResponse Deal, IReadOnlyList<CloseDateChangeResponse> CloseDateChanges);

public sealed record DealHygienePage(IReadOnlyList<DealHygieneResponse> Items, string? NextCursor);

public sealed record ForecastCategoryRequest(string? Category);

public sealed record ForecastCategoryResponse(Guid OpportunityId, string Category, string DefaultCategory, bool Overridden);

/// <summary>
/// <c>/api/v1/forecast</c>: the weighted pipeline by month or quarter, rolled up by owner or team, with quotas and
/// attainment and the deal hygiene counts; the hygiene list; and per opportunity its forecast category and flags.
/// </summary>
public static class ForecastApi
{
    public const int MaxPeriods = 36;
    public const int MaxHygieneDays = 3650;

    public static RouteGroupBuilder MapForecastApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/forecast").WithTags("Forecast");
        api.MapGet("/", GetForecast).RequirePermission(Permissions.Forecast, Operation.Read);
        api.MapGet("/hygiene", ListHygiene).RequirePermission(Permissions.Forecast, Operation.Read);
        api.MapGet("/snapshots", ForecastSnapshotsApi.ListSnapshots).RequirePermission(Permissions.Forecast, Operation.Read);
        api.MapGet("/snapshots/{id:guid}", ForecastSnapshotsApi.CompareSnapshot).RequirePermission(Permissions.Forecast, Operation.Read);
        var opportunity = app.MapGroup("/api/v1/opportunities/{id:guid}").WithTags("Forecast");
        opportunity.MapGet("/hygiene", GetOpportunityHygiene).RequirePermission(Permissions.Opportunities, Operation.Read);
        opportunity.MapGet("/forecast-category", GetCategory).RequirePermission(Permissions.Opportunities, Operation.Read);
        opportunity.MapPut("/forecast-category", SetCategory).RequirePermission(Permissions.Opportunities, Operation.Update);
        return api;
    }

    /// <summary>The periods asked for: <c>from</c> and <c>to</c> are dates inside the first and last period (default: this period and the next three).</summary>
    internal static FieldErrors Periods(string? period, DateOnly? from, DateOnly? to, DateTime now, out string kind, out DateOnly start, out DateOnly end)
    {
        kind = period ?? ForecastPeriods.Quarter;
        var errors = new FieldErrors().When(!ForecastPeriods.All.Contains(kind), "period", "period must be month or quarter.");
        if (!errors.IsValid)
        {
            (start, end) = (default, default);
            return errors;
        }
        start = ForecastPeriods.StartOf(kind, from ?? DateOnly.FromDateTime(now));
        var last = ForecastPeriods.StartOf(kind, to ?? start.AddMonths(kind == ForecastPeriods.Month ? 3 : 9));
        end = ForecastPeriods.Next(kind, last);
        var months = (end.Year - start.Year) * 12 + end.Month - start.Month;
        return errors.When(last < start, "to", "to is before from.")
            .When(months / (kind == ForecastPeriods.Month ? 1 : 3) > MaxPeriods, "to", $"At most {MaxPeriods} periods at a time.");
    }

    internal static FieldErrors Hygiene(int? pushedAtLeast, int? inactiveDays, out HygieneSettings settings)
    {
        settings = new HygieneSettings(pushedAtLeast ?? HygieneSettings.Default.PushedAtLeast, inactiveDays ?? HygieneSettings.Default.InactiveDays);
        return new FieldErrors()
            .When(settings.PushedAtLeast is < 1 or > 100, "pushedAtLeast", "pushedAtLeast is from 1 to 100.")
            .When(settings.InactiveDays is < 1 or > MaxHygieneDays, "inactiveDays", $"inactiveDays is from 1 to {MaxHygieneDays}.");
    }

    public static async Task<Results<Ok<ForecastResponse>, ValidationProblem>> GetForecast(
        string? period, DateOnly? from, DateOnly? to, string? groupBy, Guid? pipelineId, string? ownerId, Guid? teamId,
        int? pushedAtLeast, int? inactiveDays, SalesDbContext db, HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        groupBy ??= ForecastRollup.ByOwner;
        var errors = Periods(period, from, to, now, out var kind, out var start, out var end);
        var hygieneErrors = Hygiene(pushedAtLeast, inactiveDays, out var settings);
        foreach (var (field, messages) in hygieneErrors)
        {
            errors[field] = messages;
        }
        errors.When(!ForecastRollup.GroupBys.Contains(groupBy), "groupBy", "groupBy must be owner or team.");
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var scope = await ForecastScope.ForAsync(db, http.User, cancellationToken);
        if (teamId is not null)
        {
            var team = scope.Teams.Where(t => t.Id == teamId).ToList();
            scope = scope.Narrowed([.. team.SelectMany(t => t.MemberIds)], team);
        }
        if (ownerId is not null)
        {
            scope = scope.Narrowed([ownerId], scope.Teams);
        }
        var query = await ForecastQuery.ForAsync(db, scope, cancellationToken);
        var (open, won) = await query.OpenAndWonAsync(kind, start, end, pipelineId, settings, now, cancellationToken);
        var quotas = await db.Quotas.AsNoTracking()
            .Where(q => q.PeriodStart >= start && q.PeriodStart < end).ToListAsync(cancellationToken);
        return TypedResults.Ok(ForecastRollup.Build(kind, start, end, groupBy, open, won, quotas, scope.Teams));
    }

    public static async Task<Results<Ok<DealHygienePage>, ValidationProblem>> ListHygiene(
        string? flag, string? ownerId, int? pushedAtLeast, int? inactiveDays, int? limit, string? cursor,
        SalesDbContext db, HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        string[] flags = ["stale", "close-date-pushed", "no-next-commitment", "no-recent-activity"];
        var errors = Hygiene(pushedAtLeast, inactiveDays, out var settings)
            .When(flag is not null && !flags.Contains(flag), "flag", $"flag must be one of: {string.Join(", ", flags)}.")
            .When(limit is < 1 or > 200, "limit", "limit is from 1 to 200.")
            .When(cursor is not null && !Guid.TryParse(cursor, out _), "cursor", "cursor is not one this list gave.");
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var scope = await ForecastScope.ForAsync(db, http.User, cancellationToken);
        var query = await ForecastQuery.ForAsync(db, scope, cancellationToken);
        var take = limit ?? 50;
        var deals = await query.DealsAsync(null, ownerId, flag, all: false, cursor is null ? null : Guid.Parse(cursor), take + 1, settings, now, cancellationToken);
        var next = deals.Count > take ? deals[take - 1].Id.ToString() : null;
        return TypedResults.Ok(new DealHygienePage([.. deals.Take(take).Select(d => DealHygieneResponse.From(d, settings, now))], next));
    }

    public static async Task<Results<Ok<OpportunityHygieneResponse>, ValidationProblem, ProblemHttpResult>> GetOpportunityHygiene(
        Guid id, int? pushedAtLeast, int? inactiveDays, SalesDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = Hygiene(pushedAtLeast, inactiveDays, out var settings);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var opportunity = await db.Opportunities.AsNoTracking().Where(o => o.Id == id).Select(o => new { o.ClosedAt }).SingleOrDefaultAsync(cancellationToken);
        if (opportunity is null)
        {
            return ApiProblems.NotFound("opportunity", id);
        }
        if (opportunity.ClosedAt is not null)
        {
            return ApiProblems.Conflict("The opportunity is closed: hygiene flags are for open deals.");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        // The record scope was checked above; the flags' query only needs the tenant.
        var query = await ForecastQuery.ForAsync(db, ForecastScope.Tenant, cancellationToken);
        var deal = (await query.DealsAsync(id, null, null, all: true, null, 1, settings, now, cancellationToken)).Single();
        var changes = await db.CloseDateChanges.AsNoTracking().Where(c => c.OpportunityId == id).OrderBy(c => c.CreatedAt)
            .Select(c => new CloseDateChangeResponse(c.FromDate, c.ToDate, c.Pushed, c.CreatedAt, c.ChangedBy)).ToListAsync(cancellationToken);
        return TypedResults.Ok(new OpportunityHygieneResponse(DealHygieneResponse.From(deal, settings, now), changes));
    }

    public static async Task<Results<Ok<ForecastCategoryResponse>, ProblemHttpResult>> GetCategory(
        Guid id, SalesDbContext db, CancellationToken cancellationToken) =>
        await CategoryAsync(db, id, cancellationToken) is { } category ? TypedResults.Ok(category) : ApiProblems.NotFound("opportunity", id);

    /// <summary>Overrides the opportunity's forecast category; <c>null</c> goes back to the stage's default.</summary>
    public static async Task<Results<Ok<ForecastCategoryResponse>, ValidationProblem, ProblemHttpResult>> SetCategory(
        Guid id, ForecastCategoryRequest request, SalesDbContext db, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().When(request.Category is not null && !ForecastCategories.All.Contains(request.Category), "category",
            $"category must be one of: {string.Join(", ", ForecastCategories.All)}, or null for the stage's default.");
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (!await db.Opportunities.AnyAsync(o => o.Id == id, cancellationToken))
        {
            return ApiProblems.NotFound("opportunity", id);
        }
        var current = await db.ForecastCategoryOverrides.SingleOrDefaultAsync(c => c.OpportunityId == id, cancellationToken);
        if (request.Category is null)
        {
            if (current is not null)
            {
                db.ForecastCategoryOverrides.Remove(current);
            }
        }
        else if (current is null)
        {
            db.ForecastCategoryOverrides.Add(new ForecastCategoryOverride { OpportunityId = id, Category = request.Category });
        }
        else
        {
            current.Category = request.Category;
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return ApiProblems.Conflict("The forecast category was changed at the same time; read it again and retry.");
        }
        return TypedResults.Ok((await CategoryAsync(db, id, cancellationToken))!);
    }

    private static async Task<ForecastCategoryResponse?> CategoryAsync(SalesDbContext db, Guid id, CancellationToken cancellationToken)
    {
        var found = await db.Opportunities.AsNoTracking().Where(o => o.Id == id)
            .Select(o => new { o.PipelineId, o.Stage, Override = db.ForecastCategoryOverrides.Where(c => c.OpportunityId == o.Id).Select(c => c.Category).FirstOrDefault() })
            .SingleOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return null;
        }
        var pipeline = await db.Pipelines.AsNoTracking().SingleAsync(p => p.Id == found.PipelineId, cancellationToken);
        var defaultCategory = ForecastCategories.Default(pipeline.StageOf(found.Stage)?.Probability ?? 0);
        return new ForecastCategoryResponse(id, found.Override ?? defaultCategory, defaultCategory, found.Override is not null);
    }
}
