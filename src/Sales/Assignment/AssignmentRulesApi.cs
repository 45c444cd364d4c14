using CrmPlatform.Persistence.Paging;
using CrmPlatform.Persistence.TeamDirectory;
using CrmPlatform.Sales.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Assignment;

/// <summary>
/// <c>/api/v1/assignment-rules</c>: which owner a lead nobody owns gets, defined by admins and sales managers; and
/// <c>/api/v1/leads/{id}/assign</c> and <c>/assignments</c>: the rules applied on demand, and a lead's assignment history.
/// </summary>
public static class AssignmentRulesApi
{
    private const string Resource = "assignment rule";

    public static RouteGroupBuilder MapAssignmentRulesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/assignment-rules").WithTags("Assignment rules");
        api.MapGet("/", ListRules).Lists(ListFields).RequirePermission(Permissions.AssignmentRules, Operation.Read);
        api.MapGet("/{id:guid}", GetRule).RequirePermission(Permissions.AssignmentRules, Operation.Read);
        api.MapPost("/", CreateRule).RequirePermission(Permissions.AssignmentRules, Operation.Create);
        api.MapPut("/{id:guid}", UpdateRule).RequirePermission(Permissions.AssignmentRules, Operation.Update);
        api.MapDelete("/{id:guid}", DeleteRule).RequirePermission(Permissions.AssignmentRules, Operation.Delete);

        var leads = app.MapGroup("/api/v1/leads").WithTags("Leads");
        leads.MapPost("/{id:guid}/assign", AssignLead).RequirePermission(Permissions.LeadAssignments, Operation.Create)
            .ProducesProblem(StatusCodes.Status404NotFound);
        leads.MapGet("/{id:guid}/assignments", ListAssignments).RequirePermission(Permissions.LeadAssignments, Operation.Read);
        return api;
    }

    private static readonly ListFields<AssignmentRule> ListFields = new ListFields<AssignmentRule>()
        .Filter("isActive", r => r.IsActive)
        .Filter("targetTeamId", r => r.TargetTeamId)
        .Filter("targetUserId", r => r.TargetUserId)
        .Sort("position", r => r.Position)
        .Sort("name", r => r.Name)
        .Sort("updatedAt", r => r.UpdatedAt);

    public static async Task<Results<Ok<CursorPage<AssignmentRuleResponse>>, ValidationProblem>> ListRules(
        SalesDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        if (!ListQuery<AssignmentRule>.TryParse(request.Query, ListFields, out var list, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await list.ToPageAsync(db.AssignmentRules.AsNoTracking(), AssignmentRuleResponse.From, cancellationToken));
    }

    public static async Task<Results<Ok<AssignmentRuleResponse>, ProblemHttpResult>> GetRule(
        Guid id, SalesDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var rule = await db.AssignmentRules.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (rule is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, rule.Version);
        return TypedResults.Ok(AssignmentRuleResponse.From(rule));
    }

    public static async Task<Results<Created<AssignmentRuleResponse>, ValidationProblem, ProblemHttpResult>> CreateRule(
        AssignmentRuleRequest request, SalesDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (await UnknownTeamAsync(db, request.TargetTeamId, cancellationToken) is { } unknown)
        {
            return unknown;
        }
        var rule = new AssignmentRule();
        request.ApplyTo(rule);
        db.AssignmentRules.Add(rule);
        await db.SaveChangesAsync(cancellationToken);
        ETags.Set(response, rule.Version);
        return TypedResults.Created($"/api/v1/assignment-rules/{rule.Id}", AssignmentRuleResponse.From(rule));
    }

    public static async Task<Results<Ok<AssignmentRuleResponse>, ValidationProblem, ProblemHttpResult>> UpdateRule(
        Guid id, AssignmentRuleRequest request, SalesDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var rule = await db.AssignmentRules.SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (rule is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, rule.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (request.TargetTeamId != rule.TargetTeamId && await UnknownTeamAsync(db, request.TargetTeamId, cancellationToken) is { } unknown)
        {
            return unknown;
        }
        request.ApplyTo(rule);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, id);
        }
        ETags.Set(http.Response, rule.Version);
        return TypedResults.Ok(AssignmentRuleResponse.From(rule));
    }

    /// <summary>Leads it assigned keep its id and reason: the history says what happened then.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteRule(
        Guid id, SalesDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        var version = await db.AssignmentRules.Where(r => r.Id == id).Select(r => (int?)r.Version).SingleOrDefaultAsync(cancellationToken);
        if (version is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(request, version.Value, out _) is { } precondition)
        {
            return precondition;
        }
        var deleted = await db.AssignmentRules.Where(r => r.Id == id && r.Version == version).ExecuteDeleteAsync(cancellationToken);
        return deleted == 0 ? ApiProblems.ConcurrentUpdate(Resource, id) : TypedResults.NoContent();
    }

    /// <summary>
    /// Applies the rules to a lead the caller can see, whoever owns it now (reassigning by the rules). 422 when no active
    /// rule matches: nothing changes then. If-Match is honoured when given.
    /// </summary>
    public static async Task<Results<Ok<LeadAssignmentResponse>, ProblemHttpResult>> AssignLead(
        Guid id, SalesDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var lead = await db.Leads.SingleOrDefaultAsync(l => l.Id == id, cancellationToken);
        if (lead is null)
        {
            return ApiProblems.NotFound("lead", id);
        }
        if (http.Request.Headers.IfMatch.Count > 0 && ETags.CheckIfMatch(http.Request, lead.Version, out _) is { } precondition)
        {
            return precondition;
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var assignment = await LeadAssigner.AssignAsync(db, lead, LeadAssigner.OnDemand, cancellationToken);
        if (assignment is null)
        {
            return ApiProblems.Unprocessable("No active assignment rule matches the lead; its owner is unchanged.",
                new Dictionary<string, string[]> { ["lead"] = ["No active assignment rule matches."] });
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate("lead", id);
        }
        ETags.Set(http.Response, lead.Version);
        return TypedResults.Ok(LeadAssignmentResponse.From(assignment));
    }

    public static async Task<Results<Ok<List<LeadAssignmentResponse>>, ProblemHttpResult>> ListAssignments(
        Guid id, SalesDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.Leads.AnyAsync(l => l.Id == id, cancellationToken))
        {
            return ApiProblems.NotFound("lead", id);
        }
        var history = await db.LeadAssignments.AsNoTracking().Where(a => a.LeadId == id)
            .OrderByDescending(a => a.AssignedAt).ThenByDescending(a => a.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(history.Select(LeadAssignmentResponse.From).ToList());
    }

    private static async Task<ProblemHttpResult?> UnknownTeamAsync(SalesDbContext db, Guid? teamId, CancellationToken cancellationToken) =>
        teamId is null || await db.Set<DirectoryTeam>().AnyAsync(t => t.Id == teamId && !t.IsDeleted, cancellationToken)
            ? null
            : ApiProblems.Unprocessable($"No team with id '{teamId}'.",
                new Dictionary<string, string[]> { ["targetTeamId"] = [$"Unknown team '{teamId}'."] });
}
