using CrmPlatform.Persistence.Paging;
using CrmPlatform.Service.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Service.Routing;

public sealed record SupportGroupRequest(string? Name, string? Description = null, IReadOnlyList<string>? MemberIds = null,
    string? ManagerId = null, string? ManagerEmail = null)
{
    public FieldErrors Validate() => new FieldErrors()
        .Required("name", Name, SupportGroup.NameMaxLength)
        .MaxLength("description", Description, 2_000)
        .When(MemberIds?.Count > SupportGroup.MaxMembers, "memberIds", $"At most {SupportGroup.MaxMembers} members.")
        .When(MemberIds?.Any(m => string.IsNullOrWhiteSpace(m) || m.Length > AgentProfile.UserIdMaxLength) == true, "memberIds", "Member ids are user ids.")
        .MaxLength("managerId", ManagerId, AgentProfile.UserIdMaxLength)
        .Email("managerEmail", ManagerEmail);

    public void ApplyTo(SupportGroup group)
    {
        group.Name = Name!.Trim();
        group.Description = string.IsNullOrWhiteSpace(Description) ? null : Description.Trim();
        group.MemberIds = [.. (MemberIds ?? []).Select(m => m.Trim()).Distinct().Order(StringComparer.Ordinal)];
        group.ManagerId = string.IsNullOrWhiteSpace(ManagerId) ? null : ManagerId.Trim();
        group.ManagerEmail = string.IsNullOrWhiteSpace(ManagerEmail) ? null : ManagerEmail.Trim().ToLowerInvariant();
    }
}

public sealed record SupportGroupResponse(
    Guid Id, string Name, string? Description, IReadOnlyList<string> MemberIds, DateTime CreatedAt, string? CreatedBy, DateTime UpdatedAt, string? UpdatedBy, int Version,
    string? ManagerId = null, string? ManagerEmail = null)
{
    public static SupportGroupResponse From(SupportGroup g) =>
        new(g.Id, g.Name, g.Description, g.MemberIds, g.CreatedAt, g.CreatedBy, g.UpdatedAt, g.UpdatedBy, g.Version, g.ManagerId, g.ManagerEmail);
}

/// <summary><c>/api/v1/support-groups</c>: groups (queues) and their members; admins set them, agents read them.</summary>
public static class SupportGroupsApi
{
    private const string Resource = "support group";

    public static RouteGroupBuilder MapSupportGroupsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/support-groups").WithTags("Support groups");
        api.MapGet("/", List).Lists(ListFields).RequirePermission(Permissions.SupportGroups, Operation.Read);
        api.MapGet("/{id:guid}", Get).RequirePermission(Permissions.SupportGroups, Operation.Read);
        api.MapPost("/", Create).RequirePermission(Permissions.SupportGroups, Operation.Create);
        api.MapPut("/{id:guid}", Update).RequirePermission(Permissions.SupportGroups, Operation.Update);
        api.MapDelete("/{id:guid}", Delete).RequirePermission(Permissions.SupportGroups, Operation.Delete);
        return api;
    }

    private static readonly ListFields<SupportGroup> ListFields = new ListFields<SupportGroup>()
        .Filter("memberId", value => g => g.MemberIds.Contains(value))
        .Sort("name", g => g.Name)
        .Sort("updatedAt", g => g.UpdatedAt);

    public static async Task<Results<Ok<CursorPage<SupportGroupResponse>>, ValidationProblem>> List(
        ServiceDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        if (!ListQuery<SupportGroup>.TryParse(request.Query, ListFields, out var list, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await list.ToPageAsync(db.SupportGroups.AsNoTracking(), SupportGroupResponse.From, cancellationToken));
    }

    public static async Task<Results<Ok<SupportGroupResponse>, ProblemHttpResult>> Get(
        Guid id, ServiceDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var group = await db.SupportGroups.AsNoTracking().SingleOrDefaultAsync(g => g.Id == id, cancellationToken);
        if (group is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, group.Version);
        return TypedResults.Ok(SupportGroupResponse.From(group));
    }

    public static async Task<Results<Created<SupportGroupResponse>, ValidationProblem>> Create(
        SupportGroupRequest request, ServiceDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var group = new SupportGroup();
        request.ApplyTo(group);
        db.SupportGroups.Add(group);
        await db.SaveChangesAsync(cancellationToken);
        ETags.Set(response, group.Version);
        return TypedResults.Created($"/api/v1/support-groups/{group.Id}", SupportGroupResponse.From(group));
    }

    public static async Task<Results<Ok<SupportGroupResponse>, ValidationProblem, ProblemHttpResult>> Update(
        Guid id, SupportGroupRequest request, ServiceDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var group = await db.SupportGroups.SingleOrDefaultAsync(g => g.Id == id, cancellationToken);
        if (group is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, group.Version, out _) is { } precondition)
        {
            return precondition;
        }
        request.ApplyTo(group);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, id);
        }
        ETags.Set(http.Response, group.Version);
        return TypedResults.Ok(SupportGroupResponse.From(group));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        Guid id, ServiceDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        var version = await db.SupportGroups.Where(g => g.Id == id).Select(g => (int?)g.Version).SingleOrDefaultAsync(cancellationToken);
        if (version is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(request, version.Value, out _) is { } precondition)
        {
            return precondition;
        }
        if (await db.RoutingRules.AnyAsync(r => r.TargetGroupId == id, cancellationToken))
        {
            return ApiProblems.Conflict("Routing rules send tickets to this group; change or delete them first.");
        }
        var deleted = await db.SupportGroups.Where(g => g.Id == id && g.Version == version).ExecuteDeleteAsync(cancellationToken);
        return deleted == 0 ? ApiProblems.ConcurrentUpdate(Resource, id) : TypedResults.NoContent();
    }
}
