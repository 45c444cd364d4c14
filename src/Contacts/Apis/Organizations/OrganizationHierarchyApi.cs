using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Apis;

/// <summary>
/// The hierarchy both ways: <c>/subsidiaries</c> (direct, a list like any other), <c>/tree</c> (every level below) and
/// <c>/ancestors</c> (up to the root). Organizations outside the caller's record scope are left out of the answers.
/// </summary>
public static class OrganizationHierarchyApi
{
    private const string Resource = "organization";

    public static void MapOrganizationHierarchy(this RouteGroupBuilder api)
    {
        api.MapGet("/{id:guid}/subsidiaries", ListSubsidiaries).Lists(OrganizationsApi.ListFields).RequirePermission(Permissions.Organizations, Operation.Read);
        api.MapGet("/{id:guid}/tree", GetTree).RequirePermission(Permissions.Organizations, Operation.Read);
        api.MapGet("/{id:guid}/ancestors", GetAncestors).RequirePermission(Permissions.Organizations, Operation.Read);
    }

    public static async Task<Results<Ok<CursorPage<OrganizationResponse>>, ValidationProblem, ProblemHttpResult>> ListSubsidiaries(
        Guid id, ContactsDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        if (!ListQuery<Organization>.TryParse(request.Query, await OrganizationsApi.FieldsForAsync(db, request, cancellationToken), out var list, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (!await db.Organizations.AnyAsync(o => o.Id == id, cancellationToken))
        {
            return ApiProblems.NotFound(Resource, id);
        }
        var subsidiaries = db.Organizations.AsNoTracking().Where(o => o.ParentOrganizationId == id);
        return TypedResults.Ok(await list.ToPageAsync(subsidiaries, OrganizationResponse.From, cancellationToken));
    }

    public static async Task<Results<Ok<OrganizationTree>, ProblemHttpResult>> GetTree(
        Guid id, ContactsDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.Organizations.AnyAsync(o => o.Id == id, cancellationToken))
        {
            return ApiProblems.NotFound(Resource, id);
        }
        var nodes = await db.SubtreeAsync(id, OrganizationHierarchy.MaxTreeSize + 1, cancellationToken);
        var truncated = nodes.Count > OrganizationHierarchy.MaxTreeSize;
        return TypedResults.Ok(new OrganizationTree(await VisibleAsync(db, nodes.Take(OrganizationHierarchy.MaxTreeSize), cancellationToken), truncated));
    }

    public static async Task<Results<Ok<OrganizationAncestors>, ProblemHttpResult>> GetAncestors(
        Guid id, ContactsDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.Organizations.AnyAsync(o => o.Id == id, cancellationToken))
        {
            return ApiProblems.NotFound(Resource, id);
        }
        var nodes = await db.AncestorsAsync(id, cancellationToken);
        return TypedResults.Ok(new OrganizationAncestors(await VisibleAsync(db, nodes, cancellationToken)));
    }

    /// <summary>The nodes' organizations the caller may see, in the nodes' order.</summary>
    private static async Task<List<OrganizationInHierarchy>> VisibleAsync(
        ContactsDbContext db, IEnumerable<OrganizationHierarchy.Node> nodes, CancellationToken cancellationToken)
    {
        var ordered = nodes.ToList();
        var ids = ordered.Select(n => n.Id).ToList();
        var organizations = await db.Organizations.AsNoTracking().Where(o => ids.Contains(o.Id)).ToDictionaryAsync(o => o.Id, cancellationToken);
        return [.. ordered
            .Where(node => organizations.ContainsKey(node.Id))
            .Select(node => new OrganizationInHierarchy(node.Depth, OrganizationResponse.From(organizations[node.Id])))];
    }
}
