using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Apis;

public sealed record OrganizationRequest(string? Name, string? Domain, string? Industry, Guid? ParentOrganizationId)
{
    public FieldErrors Validate() => new FieldErrors()
        .Required("name", Name, Organization.NameMaxLength)
        .MaxLength("domain", Domain, Organization.DomainMaxLength)
        .When(Domain is not null && Uri.CheckHostName(Domain.Trim()) != UriHostNameType.Dns, "domain", "domain must be a host name such as example.com.")
        .MaxLength("industry", Industry, Organization.NameMaxLength);

    public void ApplyTo(Organization organization)
    {
        organization.Name = Name!.Trim();
        organization.Domain = Domain?.Trim().ToLowerInvariant();
        organization.Industry = Industry?.Trim();
        organization.ParentOrganizationId = ParentOrganizationId;
    }
}

public sealed record OrganizationResponse(
    Guid Id, string Name, string? Domain, string? Industry, Guid? ParentOrganizationId,
    string? OwnerId, DateTime CreatedAt, string? CreatedBy, DateTime UpdatedAt, string? UpdatedBy, int Version)
{
    public static OrganizationResponse From(Organization o) => new(
        o.Id, o.Name, o.Domain, o.Industry, o.ParentOrganizationId, o.OwnerId, o.CreatedAt, o.CreatedBy, o.UpdatedAt, o.UpdatedBy, o.Version);
}

public static class OrganizationsApi
{
    private const string Resource = "organization";

    public static RouteGroupBuilder MapOrganizationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/organizations").WithTags("Organizations");
        api.MapGet("/", ListOrganizations).RequirePermission(Permissions.Organizations, Operation.Read);
        api.MapGet("/{id:guid}", GetOrganization).RequirePermission(Permissions.Organizations, Operation.Read);
        api.MapPost("/", CreateOrganization).RequirePermission(Permissions.Organizations, Operation.Create);
        api.MapPut("/{id:guid}", UpdateOrganization).RequirePermission(Permissions.Organizations, Operation.Update);
        api.MapDelete("/{id:guid}", DeleteOrganization).RequirePermission(Permissions.Organizations, Operation.Delete);
        return api;
    }

    private static readonly ListFields<Organization> ListFields = new ListFields<Organization>()
        .Filter("name", o => o.Name)
        .Filter("domain", o => o.Domain, domain => domain.ToLowerInvariant())
        .Filter("industry", o => o.Industry)
        .Filter("parentOrganizationId", o => o.ParentOrganizationId)
        .Sort("updatedAt", o => o.UpdatedAt)
        .Sort("name", o => o.Name);

    public static async Task<Results<Ok<CursorPage<OrganizationResponse>>, ValidationProblem>> ListOrganizations(
        ContactsDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        if (!ListQuery<Organization>.TryParse(request.Query, ListFields, out var list, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await list.ToPageAsync(db.Organizations.AsNoTracking(), OrganizationResponse.From, cancellationToken));
    }

    public static async Task<Results<Ok<OrganizationResponse>, ProblemHttpResult>> GetOrganization(
        Guid id, ContactsDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var organization = await db.Organizations.AsNoTracking().SingleOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (organization is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, organization.Version);
        return TypedResults.Ok(OrganizationResponse.From(organization));
    }

    public static async Task<Results<Created<OrganizationResponse>, ValidationProblem, ProblemHttpResult>> CreateOrganization(
        OrganizationRequest request, ContactsDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var organization = new Organization();
        if (await CheckParentAsync(db, organization.Id, request.ParentOrganizationId, cancellationToken) is { } badParent)
        {
            return badParent;
        }

        request.ApplyTo(organization);
        db.Organizations.Add(organization);
        db.Stamp();
        db.AddEvent(organization.Created());
        if (await SaveAsync(db, organization.Id, cancellationToken) is { } conflict)
        {
            return conflict;
        }
        ETags.Set(response, organization.Version);
        return TypedResults.Created($"/api/v1/organizations/{organization.Id}", OrganizationResponse.From(organization));
    }

    public static async Task<Results<Ok<OrganizationResponse>, ValidationProblem, ProblemHttpResult>> UpdateOrganization(
        Guid id, OrganizationRequest request, ContactsDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var organization = await db.Organizations.SingleOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (organization is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, organization.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (await CheckParentAsync(db, id, request.ParentOrganizationId, cancellationToken) is { } badParent)
        {
            return badParent;
        }

        request.ApplyTo(organization);
        db.Stamp();
        if (db.Entry(organization).State == EntityState.Modified)
        {
            db.AddEvent(organization.Updated());
        }
        if (await SaveAsync(db, id, cancellationToken) is { } conflict)
        {
            return conflict;
        }
        ETags.Set(http.Response, organization.Version);
        return TypedResults.Ok(OrganizationResponse.From(organization));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteOrganization(
        Guid id, ContactsDbContext db, TimeProvider clock, HttpRequest request, CancellationToken cancellationToken)
    {
        var organization = await db.Organizations.SingleOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (organization is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(request, organization.Version, out _) is { } precondition)
        {
            return precondition;
        }

        var people = await db.People.CountAsync(p => p.OrganizationId == id, cancellationToken);
        var subsidiaries = await db.Organizations.CountAsync(o => o.ParentOrganizationId == id, cancellationToken);
        if (people + subsidiaries > 0)
        {
            return ApiProblems.Conflict(
                $"Organization '{id}' still has {people} people and {subsidiaries} subsidiaries; move or delete them first.",
                new Dictionary<string, object?> { ["people"] = people, ["subsidiaries"] = subsidiaries });
        }

        db.Organizations.Remove(organization);
        db.Stamp();
        db.AddEvent(organization.Deleted(clock.GetUtcNow().UtcDateTime));
        return await SaveAsync(db, id, cancellationToken) is { } conflict ? conflict : TypedResults.NoContent();
    }

    /// <summary>The parent must exist and must not be the organization itself or one of its descendants.</summary>
    private static async Task<ProblemHttpResult?> CheckParentAsync(ContactsDbContext db, Guid id, Guid? parentId, CancellationToken cancellationToken)
    {
        var ancestor = parentId;
        while (ancestor is { } current)
        {
            if (current == id)
            {
                return ApiProblems.Unprocessable("An organization cannot be its own parent or ancestor.",
                    new Dictionary<string, string[]> { ["parentOrganizationId"] = ["This would make the hierarchy a cycle."] });
            }
            var next = await db.Organizations.Where(o => o.Id == current).Select(o => new { o.ParentOrganizationId }).SingleOrDefaultAsync(cancellationToken);
            if (next is null)
            {
                return ApiProblems.Unprocessable($"Organization '{current}' does not exist.",
                    new Dictionary<string, string[]> { ["parentOrganizationId"] = [$"No organization with id '{current}'."] });
            }
            ancestor = next.ParentOrganizationId;
        }
        return null;
    }

    private static async Task<ProblemHttpResult?> SaveAsync(ContactsDbContext db, Guid id, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, id);
        }
        catch (DbUpdateException ex) when (ex.IsForeignKeyViolation())
        {
            return ApiProblems.Conflict("A related organization or person changed while this request ran; read it again and retry.");
        }
    }
}
