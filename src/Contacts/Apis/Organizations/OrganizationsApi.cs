using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Settings;
using CrmPlatform.Contacts.Duplicates;
using CrmPlatform.Contacts.Merging;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Apis;

public static class OrganizationsApi
{
    private const string Resource = "organization";

    public static RouteGroupBuilder MapOrganizationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/organizations").WithTags("Organizations");
        api.MapGet("/", ListOrganizations).Lists(ListFields).RequirePermission(Permissions.Organizations, Operation.Read);
        api.MapGet("/{id:guid}", GetOrganization).RequirePermission(Permissions.Organizations, Operation.Read);
        api.MapPost("/", CreateOrganization).RequirePermission(Permissions.Organizations, Operation.Create);
        api.MapPut("/{id:guid}", UpdateOrganization).RequirePermission(Permissions.Organizations, Operation.Update);
        api.MapDelete("/{id:guid}", DeleteOrganization).RequirePermission(Permissions.Organizations, Operation.Delete);
        api.MapOrganizationHierarchy();
        return api;
    }

    internal static readonly ListFields<Organization> ListFields = new ListFields<Organization>()
        .Filter("name", o => o.Name)
        .Filter("domain", o => o.Domain, domain => domain.ToLowerInvariant())
        .Filter("industry", o => o.Industry)
        .Filter("size", o => o.Size)
        .Filter("tag", value =>
        {
            var tag = Tags.Normalize(value);
            return o => o.Tags.Contains(tag);
        })
        .Filter("ownerId", o => o.OwnerId)
        .Filter("parentOrganizationId", o => o.ParentOrganizationId)
        .Sort("updatedAt", o => o.UpdatedAt)
        .Sort("name", o => o.Name)
        // Organizations of unknown size first (0), then small to large.
        .Sort("size", o => (int?)o.Size ?? 0)
        .Filter("segment", o => o.Segment)
        .Filter("rating", o => o.Rating)
        .Filter("lifecycleStage", o => o.LifecycleStage)
        // Unclassified organizations first (the empty text, rank 0), then by name or rank.
        .Sort("segment", o => o.Segment ?? "")
        .Sort("industry", o => o.Industry ?? "")
        .Sort("rating", o => (int?)o.Rating ?? 0)
        .Sort("lifecycleStage", o => (int?)o.LifecycleStage ?? 0);

    public static async Task<Results<Ok<CursorPage<OrganizationResponse>>, ValidationProblem>> ListOrganizations(
        ContactsDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        if (!ListQuery<Organization>.TryParse(request.Query, await FieldsForAsync(db, request, cancellationToken), out var list, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await list.ToPageAsync(db.Organizations.AsNoTracking(), OrganizationResponse.From, cancellationToken));
    }

    /// <summary>The list fields, with the tenant's custom fields when the request names any.</summary>
    internal static async Task<ListFields<Organization>> FieldsForAsync(ContactsDbContext db, HttpRequest request, CancellationToken cancellationToken) =>
        CustomFieldQueries.NamesCustomFields(request.Query)
            ? ListFields.WithCustomFields(await db.CustomFieldsOfAsync(CustomFieldEntity.Organization, cancellationToken))
            : ListFields;

    public static async Task<Results<Ok<OrganizationResponse>, ProblemHttpResult>> GetOrganization(
        Guid id, ContactsDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var organization = await db.Organizations.AsNoTracking().SingleOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (organization is null)
        {
            return await MergedRecords.ProblemAsync(db, Resource, "/api/v1/organizations", id, cancellationToken) ?? ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, organization.Version);
        return TypedResults.Ok(OrganizationResponse.From(organization));
    }

    public static async Task<Results<Created<OrganizationResponse>, ValidationProblem, ProblemHttpResult>> CreateOrganization(
        OrganizationRequest request, ContactsDbContext db, HttpRequest http, HttpResponse response, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (request.Read(await db.CustomFieldsOfAsync(CustomFieldEntity.Organization, cancellationToken),
            await ContactSettings.DefaultCountryAsync(db, cancellationToken), out var errors) is not { } values)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (await DuplicateCheck.OrganizationAsync(db, http, values.Name, values.Domain, cancellationToken) is { } duplicates)
        {
            return duplicates;
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var organization = new Organization();
        if (await WriteAsync(db, organization, values, isNew: true, cancellationToken) is { } problem)
        {
            return problem;
        }
        await transaction.CommitAsync(cancellationToken);
        await DuplicateDetection.RecordForReviewAsync(db, MergeKinds.Organization, organization.Id, clock.GetUtcNow().UtcDateTime, cancellationToken);
        ETags.Set(response, organization.Version);
        return TypedResults.Created($"/api/v1/organizations/{organization.Id}", OrganizationResponse.From(organization));
    }

    public static async Task<Results<Ok<OrganizationResponse>, ValidationProblem, ProblemHttpResult>> UpdateOrganization(
        Guid id, OrganizationRequest request, ContactsDbContext db, HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (request.Read(await db.CustomFieldsOfAsync(CustomFieldEntity.Organization, cancellationToken),
            await ContactSettings.DefaultCountryAsync(db, cancellationToken), out var errors) is not { } values)
        {
            return TypedResults.ValidationProblem(errors);
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var organization = await db.Organizations.SingleOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (organization is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, organization.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (await WriteAsync(db, organization, values, isNew: false, cancellationToken) is { } problem)
        {
            return problem;
        }
        await transaction.CommitAsync(cancellationToken);
        await DuplicateDetection.RecordForReviewAsync(db, MergeKinds.Organization, organization.Id, clock.GetUtcNow().UtcDateTime, cancellationToken);
        ETags.Set(http.Response, organization.Version);
        return TypedResults.Ok(OrganizationResponse.From(organization));
    }

    /// <summary>
    /// Writes a new or a loaded organization with its event, checking a new parent (422). Runs in the caller's
    /// transaction, which the hierarchy lock lasts for. Null when saved.
    /// </summary>
    internal static async Task<ProblemHttpResult?> WriteAsync(
        ContactsDbContext db, Organization organization, OrganizationValues values, bool isNew, CancellationToken cancellationToken)
    {
        if ((isNew || values.ParentOrganizationId != organization.ParentOrganizationId)
            && await CheckParentAsync(db, organization.Id, values.ParentOrganizationId, cancellationToken) is { } badParent)
        {
            return badParent;
        }

        values.ApplyTo(organization);
        if (isNew)
        {
            db.Organizations.Add(organization);
        }
        db.Stamp();
        if (isNew)
        {
            db.AddEvent(organization.Created());
        }
        else if (db.Entry(organization).State == EntityState.Modified)
        {
            db.AddEvent(organization.Updated());
        }
        return await SaveAsync(db, organization.Id, cancellationToken);
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

        // Unscoped counts: dependants the caller cannot see still hold the organization.
        var people = await db.People.IgnoreQueryFilters().CountAsync(p => p.TenantId == db.CurrentTenantId && p.OrganizationId == id, cancellationToken);
        var subsidiaries = await db.Organizations.IgnoreQueryFilters()
            .CountAsync(o => o.TenantId == db.CurrentTenantId && o.ParentOrganizationId == id, cancellationToken);
        var affiliations = await db.Affiliations.CountAsync(a => a.OrganizationId == id, cancellationToken);
        if (people + subsidiaries + affiliations > 0)
        {
            return ApiProblems.Conflict(
                $"Organization '{id}' still has {people} people, {subsidiaries} subsidiaries and {affiliations} people's roles; move or delete them first.",
                new Dictionary<string, object?> { ["people"] = people, ["subsidiaries"] = subsidiaries, ["affiliations"] = affiliations });
        }

        db.Organizations.Remove(organization);
        db.Stamp();
        db.AddEvent(organization.Deleted(clock.GetUtcNow().UtcDateTime));
        return await SaveAsync(db, id, cancellationToken) is { } conflict ? conflict : TypedResults.NoContent();
    }

    /// <summary>
    /// The parent must exist (for the caller) and must be neither the organization itself nor below it. Runs under the
    /// hierarchy lock, in the caller's transaction, so a concurrent move cannot slip a cycle past the check.
    /// </summary>
    private static async Task<ProblemHttpResult?> CheckParentAsync(ContactsDbContext db, Guid id, Guid? parentId, CancellationToken cancellationToken)
    {
        if (parentId is not { } parent)
        {
            return null;
        }
        await db.LockAsync(cancellationToken);
        if (!await db.Organizations.AnyAsync(o => o.Id == parent, cancellationToken))
        {
            return ApiProblems.Unprocessable($"Organization '{parent}' does not exist.",
                new Dictionary<string, string[]> { ["parentOrganizationId"] = [$"No organization with id '{parent}'."] });
        }
        if (parent == id || (await db.AncestorsAsync(parent, cancellationToken)).Any(ancestor => ancestor.Id == id))
        {
            return ApiProblems.Unprocessable("An organization cannot be its own parent or ancestor.",
                new Dictionary<string, string[]> { ["parentOrganizationId"] = ["This would make the hierarchy a cycle."] });
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
