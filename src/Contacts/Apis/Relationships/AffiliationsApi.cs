using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Apis;

/// <summary>
/// A person's roles at organizations, edited under the person (<c>/people/{id}/affiliations</c>) and listed from either
/// side (<c>/organizations/{id}/affiliations</c>). They are part of the person: whoever may see and edit the person may
/// see and edit them, and an organization's list holds only people the caller may see.
/// </summary>
public static class AffiliationsApi
{
    private const string Resource = "affiliation";

    public static void MapAffiliationsApi(this IEndpointRouteBuilder app)
    {
        var person = app.MapGroup("/api/v1/people/{personId:guid}/affiliations").WithTags("Relationships");
        person.MapGet("/", ListForPerson).Lists(ListFields).RequirePermission(Permissions.People, Operation.Read);
        person.MapGet("/{id:guid}", GetAffiliation).RequirePermission(Permissions.People, Operation.Read);
        person.MapPost("/", CreateAffiliation).RequirePermission(Permissions.People, Operation.Update);
        person.MapPut("/{id:guid}", UpdateAffiliation).RequirePermission(Permissions.People, Operation.Update);
        person.MapDelete("/{id:guid}", DeleteAffiliation).RequirePermission(Permissions.People, Operation.Update);
        app.MapGet("/api/v1/organizations/{organizationId:guid}/affiliations", ListForOrganization).Lists(ListFields).WithTags("Relationships")
            .RequirePermission(Permissions.Organizations, Operation.Read);
    }

    private static readonly ListFields<Affiliation> ListFields = new ListFields<Affiliation>()
        .Filter("organizationId", a => a.OrganizationId)
        .Filter("personId", a => a.PersonId)
        .Filter("role", value => KindNames.TryParse<AffiliationRole>(value, out var role) ? Has(KindNames.Of(role)) : null)
        .Sort("updatedAt", a => a.UpdatedAt);

    private static System.Linq.Expressions.Expression<Func<Affiliation, bool>> Has(string role) => a => a.Roles.Contains(role);

    public static async Task<Results<Ok<CursorPage<AffiliationResponse>>, ValidationProblem, ProblemHttpResult>> ListForPerson(
        Guid personId, ContactsDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        if (!ListQuery<Affiliation>.TryParse(request.Query, ListFields, out var list, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (!await db.People.AnyAsync(p => p.Id == personId, cancellationToken))
        {
            return ApiProblems.NotFound("person", personId);
        }
        return TypedResults.Ok(await list.ToPageAsync(
            db.Affiliations.AsNoTracking().Where(a => a.PersonId == personId), AffiliationResponse.From, cancellationToken));
    }

    public static async Task<Results<Ok<CursorPage<AffiliationResponse>>, ValidationProblem, ProblemHttpResult>> ListForOrganization(
        Guid organizationId, ContactsDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        if (!ListQuery<Affiliation>.TryParse(request.Query, ListFields, out var list, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (!await db.Organizations.AnyAsync(o => o.Id == organizationId, cancellationToken))
        {
            return ApiProblems.NotFound("organization", organizationId);
        }
        // db.People carries the record scope: roles of people the caller may not see stay out.
        var affiliations = db.Affiliations.AsNoTracking()
            .Where(a => a.OrganizationId == organizationId && db.People.Any(p => p.Id == a.PersonId));
        return TypedResults.Ok(await list.ToPageAsync(affiliations, AffiliationResponse.From, cancellationToken));
    }

    public static async Task<Results<Ok<AffiliationResponse>, ProblemHttpResult>> GetAffiliation(
        Guid personId, Guid id, ContactsDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, personId, id, cancellationToken) is not { } affiliation)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, affiliation.Version);
        return TypedResults.Ok(AffiliationResponse.From(affiliation));
    }

    public static async Task<Results<Created<AffiliationResponse>, ValidationProblem, ProblemHttpResult>> CreateAffiliation(
        Guid personId, AffiliationRequest request, ContactsDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var errors = request.Validate(out var roles);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (!await db.People.AnyAsync(p => p.Id == personId, cancellationToken))
        {
            return ApiProblems.NotFound("person", personId);
        }
        if (await CheckOrganizationAsync(db, request.OrganizationId!.Value, cancellationToken) is { } unknown)
        {
            return unknown;
        }

        var affiliation = new Affiliation { PersonId = personId };
        request.ApplyTo(affiliation, roles);
        db.Affiliations.Add(affiliation);
        if (await SaveAsync(db, affiliation.Id, cancellationToken) is { } conflict)
        {
            return conflict;
        }
        ETags.Set(response, affiliation.Version);
        return TypedResults.Created($"/api/v1/people/{personId}/affiliations/{affiliation.Id}", AffiliationResponse.From(affiliation));
    }

    public static async Task<Results<Ok<AffiliationResponse>, ValidationProblem, ProblemHttpResult>> UpdateAffiliation(
        Guid personId, Guid id, AffiliationRequest request, ContactsDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = request.Validate(out var roles);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (await FindAsync(db, personId, id, cancellationToken, tracked: true) is not { } affiliation)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, affiliation.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (request.OrganizationId != affiliation.OrganizationId
            && await CheckOrganizationAsync(db, request.OrganizationId!.Value, cancellationToken) is { } unknown)
        {
            return unknown;
        }

        request.ApplyTo(affiliation, roles);
        if (await SaveAsync(db, id, cancellationToken) is { } conflict)
        {
            return conflict;
        }
        ETags.Set(http.Response, affiliation.Version);
        return TypedResults.Ok(AffiliationResponse.From(affiliation));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAffiliation(
        Guid personId, Guid id, ContactsDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, personId, id, cancellationToken, tracked: true) is not { } affiliation)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(request, affiliation.Version, out _) is { } precondition)
        {
            return precondition;
        }
        db.Affiliations.Remove(affiliation);
        return await SaveAsync(db, id, cancellationToken) is { } conflict ? conflict : TypedResults.NoContent();
    }

    /// <summary>The affiliation, if it belongs to this person and the caller may see the person.</summary>
    private static Task<Affiliation?> FindAsync(ContactsDbContext db, Guid personId, Guid id, CancellationToken cancellationToken, bool tracked = false)
    {
        var affiliations = tracked ? db.Affiliations : db.Affiliations.AsNoTracking();
        return affiliations.SingleOrDefaultAsync(a => a.Id == id && a.PersonId == personId && db.People.Any(p => p.Id == personId), cancellationToken);
    }

    private static async Task<ProblemHttpResult?> CheckOrganizationAsync(ContactsDbContext db, Guid organizationId, CancellationToken cancellationToken) =>
        await db.Organizations.AnyAsync(o => o.Id == organizationId, cancellationToken)
            ? null
            : ApiProblems.Unprocessable($"Organization '{organizationId}' does not exist.",
                new Dictionary<string, string[]> { ["organizationId"] = [$"No organization with id '{organizationId}'."] });

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
            return ApiProblems.Unprocessable("The person or organization was deleted while this request ran.",
                new Dictionary<string, string[]> { ["organizationId"] = ["No such organization."] });
        }
    }
}
