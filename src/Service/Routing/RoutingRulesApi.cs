using CrmPlatform.Persistence.Paging;
using CrmPlatform.Service.Data;
using CrmPlatform.Service.Tickets;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Service.Routing;

public sealed record RoutingRuleRequest(
    string? Name, int? Position, Guid? TargetGroupId, string? Method = null, bool? IsActive = null,
    IReadOnlyList<string>? Languages = null, IReadOnlyList<string>? Products = null, IReadOnlyList<string>? Topics = null,
    IReadOnlyList<string>? Categories = null, IReadOnlyList<string>? Priorities = null, IReadOnlyList<string>? RequiredSkills = null)
{
    public FieldErrors Validate() => new FieldErrors()
        .Required("name", Name, RoutingRule.NameMaxLength)
        .When(Position is null, "position", "position is required.")
        .When(TargetGroupId is null || TargetGroupId == Guid.Empty, "targetGroupId", "targetGroupId is required.")
        .When(Method is not null && !RoutingMethods.All.Contains(Method), "method", $"method must be one of {string.Join(", ", RoutingMethods.All)}.")
        .When(Priorities?.Any(p => !TicketPriorities.All.Contains(p)) == true, "priorities", $"priorities are of {string.Join(", ", TicketPriorities.All)}.")
        .When(RequiredSkills?.Any(s => !Skills.All.Contains(s)) == true, "requiredSkills", $"requiredSkills are of {string.Join(", ", Skills.All)}.")
        .When(new[] { Languages, Products, Topics, Categories }.Any(list => list?.Count > RoutingRule.MaxValues
            || list?.Any(v => string.IsNullOrWhiteSpace(v) || v.Length > 100) == true), "criteria", $"At most {RoutingRule.MaxValues} non-empty values of at most 100 characters per criterion.");

    public void ApplyTo(RoutingRule rule)
    {
        static List<string> Values(IReadOnlyList<string>? values) => [.. (values ?? []).Select(v => v.Trim().ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal)];
        rule.Name = Name!.Trim();
        rule.Position = Position!.Value;
        rule.TargetGroupId = TargetGroupId!.Value;
        rule.Method = Method ?? RoutingMethods.RoundRobin;
        rule.IsActive = IsActive ?? true;
        rule.Languages = [.. Values(Languages).Select(l => RoutingRule.LanguageOf(l)!).Distinct()];
        rule.Products = Values(Products);
        rule.Topics = Values(Topics);
        rule.Categories = Values(Categories);
        rule.Priorities = Values(Priorities);
        rule.RequiredSkills = Values(RequiredSkills);
    }
}

public sealed record RoutingRuleResponse(
    Guid Id, string Name, int Position, bool IsActive, IReadOnlyList<string> Languages, IReadOnlyList<string> Products, IReadOnlyList<string> Topics,
    IReadOnlyList<string> Categories, IReadOnlyList<string> Priorities, Guid TargetGroupId, string Method, IReadOnlyList<string> RequiredSkills,
    DateTime CreatedAt, string? CreatedBy, DateTime UpdatedAt, string? UpdatedBy, int Version)
{
    public static RoutingRuleResponse From(RoutingRule r) => new(
        r.Id, r.Name, r.Position, r.IsActive, r.Languages, r.Products, r.Topics, r.Categories, r.Priorities, r.TargetGroupId, r.Method,
        r.RequiredSkills, r.CreatedAt, r.CreatedBy, r.UpdatedAt, r.UpdatedBy, r.Version);
}

/// <summary><c>/api/v1/routing-rules</c>: which group takes which tickets, and how its agents share them (admins set them).</summary>
public static class RoutingRulesApi
{
    private const string Resource = "routing rule";

    public static RouteGroupBuilder MapRoutingRulesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/routing-rules").WithTags("Support groups");
        api.MapGet("/", List).Lists(ListFields).RequirePermission(Permissions.SupportGroups, Operation.Read);
        api.MapGet("/{id:guid}", Get).RequirePermission(Permissions.SupportGroups, Operation.Read);
        api.MapPost("/", Create).RequirePermission(Permissions.SupportGroups, Operation.Create);
        api.MapPut("/{id:guid}", Update).RequirePermission(Permissions.SupportGroups, Operation.Update);
        api.MapDelete("/{id:guid}", Delete).RequirePermission(Permissions.SupportGroups, Operation.Delete);
        return api;
    }

    private static readonly ListFields<RoutingRule> ListFields = new ListFields<RoutingRule>()
        .Filter("isActive", r => r.IsActive)
        .Filter("targetGroupId", r => r.TargetGroupId)
        .Sort("position", r => r.Position)
        .Sort("name", r => r.Name);

    public static async Task<Results<Ok<CursorPage<RoutingRuleResponse>>, ValidationProblem>> List(
        ServiceDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        if (!ListQuery<RoutingRule>.TryParse(request.Query, ListFields, out var list, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await list.ToPageAsync(db.RoutingRules.AsNoTracking(), RoutingRuleResponse.From, cancellationToken));
    }

    public static async Task<Results<Ok<RoutingRuleResponse>, ProblemHttpResult>> Get(
        Guid id, ServiceDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var rule = await db.RoutingRules.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (rule is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, rule.Version);
        return TypedResults.Ok(RoutingRuleResponse.From(rule));
    }

    public static async Task<Results<Created<RoutingRuleResponse>, ValidationProblem, ProblemHttpResult>> Create(
        RoutingRuleRequest request, ServiceDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (await UnknownGroupAsync(db, request, cancellationToken) is { } unknown)
        {
            return unknown;
        }
        var rule = new RoutingRule();
        request.ApplyTo(rule);
        db.RoutingRules.Add(rule);
        await db.SaveChangesAsync(cancellationToken);
        ETags.Set(response, rule.Version);
        return TypedResults.Created($"/api/v1/routing-rules/{rule.Id}", RoutingRuleResponse.From(rule));
    }

    public static async Task<Results<Ok<RoutingRuleResponse>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, RoutingRuleRequest request, ServiceDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var rule = await db.RoutingRules.SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (rule is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, rule.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (await UnknownGroupAsync(db, request, cancellationToken) is { } unknown)
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
        return TypedResults.Ok(RoutingRuleResponse.From(rule));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        Guid id, ServiceDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        var version = await db.RoutingRules.Where(r => r.Id == id).Select(r => (int?)r.Version).SingleOrDefaultAsync(cancellationToken);
        if (version is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(request, version.Value, out _) is { } precondition)
        {
            return precondition;
        }
        var deleted = await db.RoutingRules.Where(r => r.Id == id && r.Version == version).ExecuteDeleteAsync(cancellationToken);
        return deleted == 0 ? ApiProblems.ConcurrentUpdate(Resource, id) : TypedResults.NoContent();
    }

    private static async Task<ProblemHttpResult?> UnknownGroupAsync(ServiceDbContext db, RoutingRuleRequest request, CancellationToken cancellationToken) =>
        await db.SupportGroups.AnyAsync(g => g.Id == request.TargetGroupId, cancellationToken) ? null
            : ApiProblems.Unprocessable($"No support group with id '{request.TargetGroupId}'.",
                new Dictionary<string, string[]> { ["targetGroupId"] = [$"Unknown support group '{request.TargetGroupId}'."] });
}
