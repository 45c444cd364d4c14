using CrmPlatform.Persistence.Paging;
using CrmPlatform.Service.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Service.Sla.Policies;

/// <summary>
/// <c>/api/v1/sla-policies</c>: response and resolution targets per priority. Admins write, agents and read-only users
/// read. A tenant's first policy is its default; a policy a contract names cannot be deleted (409), nor the default
/// while others exist. Running clocks keep the targets they started with until the ticket's priority changes.
/// </summary>
public static class SlaPoliciesApi
{
    private const string Resource = "SLA policy";
    private const string DefaultLock = "sla-policy";

    public static RouteGroupBuilder MapSlaPoliciesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/sla-policies").WithTags("SLA policies");
        api.MapGet("/", List).Lists(ListFields).RequirePermission(Permissions.SlaPolicies, Operation.Read);
        api.MapGet("/{id:guid}", Get).RequirePermission(Permissions.SlaPolicies, Operation.Read);
        api.MapPost("/", Create).RequirePermission(Permissions.SlaPolicies, Operation.Create);
        api.MapPut("/{id:guid}", Update).RequirePermission(Permissions.SlaPolicies, Operation.Update);
        api.MapDelete("/{id:guid}", Delete).RequirePermission(Permissions.SlaPolicies, Operation.Delete);
        return api;
    }

    private static readonly ListFields<SlaPolicy> ListFields = new ListFields<SlaPolicy>()
        .Filter("name", p => p.Name)
        .Filter("isDefault", p => p.IsDefault)
        .Filter("calendarId", p => p.CalendarId)
        .Sort("name", p => p.Name)
        .Sort("updatedAt", p => p.UpdatedAt);

    public static async Task<Results<Ok<CursorPage<SlaPolicyResponse>>, ValidationProblem>> List(
        ServiceDbContext db, HttpRequest request, CancellationToken cancellationToken) =>
        ListQuery<SlaPolicy>.TryParse(request.Query, ListFields, out var list, out var errors)
            ? TypedResults.Ok(await list.ToPageAsync(db.SlaPolicies.AsNoTracking(), SlaPolicyResponse.From, cancellationToken))
            : TypedResults.ValidationProblem(errors);

    public static async Task<Results<Ok<SlaPolicyResponse>, ProblemHttpResult>> Get(
        Guid id, ServiceDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var policy = await db.SlaPolicies.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (policy is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, policy.Version);
        return TypedResults.Ok(SlaPolicyResponse.From(policy));
    }

    public static async Task<Results<Created<SlaPolicyResponse>, ValidationProblem, ProblemHttpResult>> Create(
        SlaPolicyRequest request, ServiceDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var read = await ReadAsync(request, db, cancellationToken);
        if (read.Problem is not null)
        {
            return read.Problem;
        }
        if (read.Malformed is not null)
        {
            return TypedResults.ValidationProblem(read.Malformed);
        }
        var policy = read.Policy!;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await SlaSaves.LockDefaultAsync(db, DefaultLock, cancellationToken);
        var currentDefault = await db.SlaPolicies.SingleOrDefaultAsync(p => p.IsDefault, cancellationToken);
        policy.IsDefault |= currentDefault is null;
        if (policy.IsDefault && currentDefault is not null)
        {
            currentDefault.IsDefault = false;
            if (await SlaSaves.SaveAsync(db, Resource, currentDefault.Id, currentDefault.Name, cancellationToken) is { } taken)
            {
                return taken;
            }
        }
        db.SlaPolicies.Add(policy);
        if (await SlaSaves.SaveAsync(db, Resource, policy.Id, policy.Name, cancellationToken) is { } problem)
        {
            return problem;
        }
        await transaction.CommitAsync(cancellationToken);
        ETags.Set(response, policy.Version);
        return TypedResults.Created($"/api/v1/sla-policies/{policy.Id}", SlaPolicyResponse.From(policy));
    }

    public static async Task<Results<Ok<SlaPolicyResponse>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, SlaPolicyRequest request, ServiceDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var read = await ReadAsync(request, db, cancellationToken);
        if (read.Problem is not null)
        {
            return read.Problem;
        }
        if (read.Malformed is not null)
        {
            return TypedResults.ValidationProblem(read.Malformed);
        }
        var changed = read.Policy!;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await SlaSaves.LockDefaultAsync(db, DefaultLock, cancellationToken);
        var policy = await db.SlaPolicies.SingleOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (policy is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, policy.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (policy.IsDefault && !changed.IsDefault)
        {
            return ApiProblems.Conflict($"'{policy.Name}' is the default SLA policy; make another policy the default instead.");
        }
        if (changed.IsDefault && !policy.IsDefault && await db.SlaPolicies.SingleOrDefaultAsync(p => p.IsDefault, cancellationToken) is { } currentDefault)
        {
            currentDefault.IsDefault = false;
            if (await SlaSaves.SaveAsync(db, Resource, currentDefault.Id, currentDefault.Name, cancellationToken) is { } taken)
            {
                return taken;
            }
        }
        policy.Name = changed.Name;
        policy.IsDefault = changed.IsDefault;
        policy.CalendarId = changed.CalendarId;
        policy.WarningPercent = changed.WarningPercent;
        policy.Targets = changed.Targets;
        if (await SlaSaves.SaveAsync(db, Resource, policy.Id, policy.Name, cancellationToken) is { } problem)
        {
            return problem;
        }
        await transaction.CommitAsync(cancellationToken);
        ETags.Set(http.Response, policy.Version);
        return TypedResults.Ok(SlaPolicyResponse.From(policy));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(Guid id, ServiceDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await SlaSaves.LockDefaultAsync(db, DefaultLock, cancellationToken);
        var policy = await db.SlaPolicies.SingleOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (policy is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(request, policy.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (policy.IsDefault && await db.SlaPolicies.AnyAsync(p => p.Id != id, cancellationToken))
        {
            return ApiProblems.Conflict($"'{policy.Name}' is the default SLA policy; make another policy the default before deleting it.");
        }
        var contracts = await db.ServiceContracts.CountAsync(c => c.PolicyId == id, cancellationToken);
        if (contracts > 0)
        {
            return ApiProblems.Conflict($"{contracts} service contracts name '{policy.Name}'; give them another policy first.",
                new Dictionary<string, object?> { ["contracts"] = contracts });
        }
        db.SlaPolicies.Remove(policy);
        if (await SlaSaves.SaveAsync(db, Resource, policy.Id, policy.Name, cancellationToken) is { } problem)
        {
            return problem;
        }
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private sealed record Read(SlaPolicy? Policy, FieldErrors? Malformed, ProblemHttpResult? Problem);

    /// <summary>The policy, or a 400 (malformed), or a 422 (rules; a calendar that is not the tenant's).</summary>
    private static async Task<Read> ReadAsync(SlaPolicyRequest request, ServiceDbContext db, CancellationToken cancellationToken)
    {
        var policy = request.Read(out var malformed, out var invalid);
        if (!malformed.IsValid)
        {
            return new Read(null, malformed, null);
        }
        if (policy is null)
        {
            return new Read(null, null, SlaSaves.Unprocessable(invalid));
        }
        if (policy.CalendarId is { } calendarId && !await db.BusinessCalendars.AnyAsync(c => c.Id == calendarId, cancellationToken))
        {
            return new Read(null, null, SlaSaves.Unprocessable("calendarId", $"No business calendar with id '{calendarId}'."));
        }
        return new Read(policy, null, null);
    }
}
