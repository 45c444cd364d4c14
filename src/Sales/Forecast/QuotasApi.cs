using System.Text.RegularExpressions;
using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.Persistence.TeamDirectory;
using CrmPlatform.Sales.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Forecast;

public sealed partial record QuotaRequest(string? SubjectKind, string? SubjectId, string? Period, DateOnly? PeriodStart, string? Currency, decimal? Amount)
{
    public FieldErrors Validate() => new FieldErrors()
        .When(SubjectKind is null || !QuotaSubjects.All.Contains(SubjectKind), "subjectKind", "subjectKind must be user or team.")
        .Required("subjectId", SubjectId, Quota.SubjectIdMaxLength)
        .When(SubjectKind == QuotaSubjects.Team && SubjectId is not null && !Guid.TryParse(SubjectId, out _), "subjectId", "A team's subjectId is the team's id.")
        .When(Period is null || !ForecastPeriods.All.Contains(Period), "period", "period must be month or quarter.")
        .When(PeriodStart is null, "periodStart", "periodStart is required.")
        .When(PeriodStart is { } start && Period is not null && ForecastPeriods.All.Contains(Period) && !ForecastPeriods.IsStart(Period, start),
            "periodStart", "periodStart is the first day of the month or quarter.")
        .When(Currency is null || !CurrencyCode().IsMatch(Currency), "currency", "currency must be an ISO 4217 code such as EUR.")
        .When(Amount is null or < 0, "amount", "amount is required and cannot be negative.")
        .When(Amount is not null && decimal.Round(Amount.Value, 2) != Amount, "amount", "amount has at most two decimals.");

    public void ApplyTo(Quota quota)
    {
        quota.SubjectKind = SubjectKind!;
        quota.SubjectId = SubjectKind == QuotaSubjects.Team ? Guid.Parse(SubjectId!).ToString() : SubjectId!.Trim();
        quota.Period = Period!;
        quota.PeriodStart = PeriodStart!.Value;
        quota.Currency = Currency!;
        quota.Amount = Amount!.Value;
    }

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyCode();
}

public sealed record QuotaResponse(
    Guid Id, string SubjectKind, string SubjectId, string Period, DateOnly PeriodStart, string Currency, decimal Amount,
    DateTime CreatedAt, string? CreatedBy, DateTime UpdatedAt, string? UpdatedBy, int Version)
{
    public static QuotaResponse From(Quota q) => new(
        q.Id, q.SubjectKind, q.SubjectId, q.Period, q.PeriodStart, q.Currency, q.Amount, q.CreatedAt, q.CreatedBy, q.UpdatedAt, q.UpdatedBy, q.Version);
}

/// <summary>
/// <c>/api/v1/quotas</c>: closed-won targets per user or team, month or quarter, and currency. Managers and admins set
/// them; whose quotas a caller sees and sets follows the forecast scope (a rep their own, a manager their teams' and
/// their members', others the tenant's).
/// </summary>
public static class QuotasApi
{
    private const string Resource = "quota";

    public static RouteGroupBuilder MapQuotasApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/quotas").WithTags("Forecast");
        api.MapGet("/", ListQuotas).Lists(ListFields).RequirePermission(Permissions.Quotas, Operation.Read);
        api.MapGet("/{id:guid}", GetQuota).RequirePermission(Permissions.Quotas, Operation.Read);
        api.MapPost("/", CreateQuota).RequirePermission(Permissions.Quotas, Operation.Create);
        api.MapPut("/{id:guid}", UpdateQuota).RequirePermission(Permissions.Quotas, Operation.Update);
        api.MapDelete("/{id:guid}", DeleteQuota).RequirePermission(Permissions.Quotas, Operation.Delete);
        return api;
    }

    private static readonly ListFields<Quota> ListFields = new ListFields<Quota>()
        .Filter("subjectKind", q => q.SubjectKind)
        .Filter("subjectId", q => q.SubjectId)
        .Filter("period", q => q.Period)
        .Filter("periodStart", q => q.PeriodStart)
        .Filter("currency", q => q.Currency, currency => currency.ToUpperInvariant())
        .Sort("periodStart", q => q.PeriodStart);

    private static IQueryable<Quota> InScope(SalesDbContext db, ForecastScope scope)
    {
        if (scope.WholeTenant)
        {
            return db.Quotas;
        }
        var users = scope.OwnerIds.ToList();
        var teams = scope.Teams.Select(t => t.Id.ToString()).ToList();
        return db.Quotas.Where(q => (q.SubjectKind == QuotaSubjects.User && users.Contains(q.SubjectId))
            || (q.SubjectKind == QuotaSubjects.Team && teams.Contains(q.SubjectId)));
    }

    private static bool Covers(ForecastScope scope, Quota quota) =>
        scope.WholeTenant || (quota.SubjectKind == QuotaSubjects.User ? scope.OwnerIds.Contains(quota.SubjectId) : scope.Teams.Any(t => t.Id.ToString() == quota.SubjectId));

    public static async Task<Results<Ok<CursorPage<QuotaResponse>>, ValidationProblem>> ListQuotas(
        SalesDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        if (!ListQuery<Quota>.TryParse(http.Request.Query, ListFields, out var list, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        var scope = await ForecastScope.ForAsync(db, http.User, cancellationToken);
        return TypedResults.Ok(await list.ToPageAsync(InScope(db, scope).AsNoTracking(), QuotaResponse.From, cancellationToken));
    }

    public static async Task<Results<Ok<QuotaResponse>, ProblemHttpResult>> GetQuota(
        Guid id, SalesDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var scope = await ForecastScope.ForAsync(db, http.User, cancellationToken);
        var quota = await InScope(db, scope).AsNoTracking().SingleOrDefaultAsync(q => q.Id == id, cancellationToken);
        if (quota is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(http.Response, quota.Version);
        return TypedResults.Ok(QuotaResponse.From(quota));
    }

    public static async Task<Results<Created<QuotaResponse>, ValidationProblem, ProblemHttpResult>> CreateQuota(
        QuotaRequest request, SalesDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var quota = new Quota();
        request.ApplyTo(quota);
        if (await CheckSubjectAsync(db, http, quota, cancellationToken) is { } refused)
        {
            return refused;
        }
        db.Quotas.Add(quota);
        if (await SaveAsync(db, quota, cancellationToken) is { } problem)
        {
            return problem;
        }
        ETags.Set(http.Response, quota.Version);
        return TypedResults.Created($"/api/v1/quotas/{quota.Id}", QuotaResponse.From(quota));
    }

    public static async Task<Results<Ok<QuotaResponse>, ValidationProblem, ProblemHttpResult>> UpdateQuota(
        Guid id, QuotaRequest request, SalesDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var scope = await ForecastScope.ForAsync(db, http.User, cancellationToken);
        var quota = await InScope(db, scope).SingleOrDefaultAsync(q => q.Id == id, cancellationToken);
        if (quota is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, quota.Version, out _) is { } precondition)
        {
            return precondition;
        }
        request.ApplyTo(quota);
        if (await CheckSubjectAsync(db, http, quota, cancellationToken) is { } refused)
        {
            return refused;
        }
        if (await SaveAsync(db, quota, cancellationToken) is { } problem)
        {
            return problem;
        }
        ETags.Set(http.Response, quota.Version);
        return TypedResults.Ok(QuotaResponse.From(quota));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteQuota(
        Guid id, SalesDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var scope = await ForecastScope.ForAsync(db, http.User, cancellationToken);
        var quota = await InScope(db, scope).SingleOrDefaultAsync(q => q.Id == id, cancellationToken);
        if (quota is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, quota.Version, out _) is { } precondition)
        {
            return precondition;
        }
        db.Quotas.Remove(quota);
        return await SaveAsync(db, quota, cancellationToken) is { } problem ? problem : TypedResults.NoContent();
    }

    /// <summary>422 when the team is unknown to Sales, or when the subject is outside the caller's forecast scope.</summary>
    private static async Task<ProblemHttpResult?> CheckSubjectAsync(SalesDbContext db, HttpContext http, Quota quota, CancellationToken cancellationToken)
    {
        if (quota.SubjectKind == QuotaSubjects.Team)
        {
            var teamId = Guid.Parse(quota.SubjectId);
            if (!await db.Set<DirectoryTeam>().AnyAsync(t => t.Id == teamId && t.TenantId == db.CurrentTenantId && !t.IsDeleted, cancellationToken))
            {
                return Unprocessable($"Sales knows no team with id '{teamId}'. A team created moments ago may still be on its way from Identity.");
            }
        }
        var scope = await ForecastScope.ForAsync(db, http.User, cancellationToken);
        return Covers(scope, quota) ? null : Unprocessable($"The {quota.SubjectKind} '{quota.SubjectId}' is not one of your teams or their members.");
    }

    private static ProblemHttpResult Unprocessable(string message) =>
        ApiProblems.Unprocessable(message, new Dictionary<string, string[]> { ["subjectId"] = [message] });

    private static async Task<ProblemHttpResult?> SaveAsync(SalesDbContext db, Quota quota, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, quota.Id);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return ApiProblems.Conflict($"A quota for this {quota.SubjectKind}, {quota.Period} starting {quota.PeriodStart:yyyy-MM-dd} and {quota.Currency} exists; change it instead.");
        }
    }
}
