using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Apis;

/// <summary>
/// Links between people, under either person: <c>/people/{id}/links</c> lists both directions, each read from that
/// person's side. A link is visible, and editable, to whoever may see both people.
/// </summary>
public static class PersonLinksApi
{
    private const string Resource = "person link";

    public static void MapPersonLinksApi(this IEndpointRouteBuilder app)
    {
        var links = app.MapGroup("/api/v1/people/{personId:guid}/links").WithTags("Relationships");
        links.MapGet("/", ListLinks).RequirePermission(Permissions.People, Operation.Read);
        links.MapGet("/{id:guid}", GetLink).RequirePermission(Permissions.People, Operation.Read);
        links.MapPost("/", CreateLink).RequirePermission(Permissions.People, Operation.Update);
        links.MapPut("/{id:guid}", UpdateLink).RequirePermission(Permissions.People, Operation.Update);
        links.MapDelete("/{id:guid}", DeleteLink).RequirePermission(Permissions.People, Operation.Update);
    }

    public static async Task<Results<Ok<CursorPage<PersonLinkResponse>>, ValidationProblem, ProblemHttpResult>> ListLinks(
        Guid personId, ContactsDbContext db, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!PageRequest.TryParse(limit, cursor, out var page, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (!await db.People.AnyAsync(p => p.Id == personId, cancellationToken))
        {
            return ApiProblems.NotFound("person", personId);
        }
        return TypedResults.Ok(await Visible(db, personId).AsNoTracking()
            .ToCursorPageAsync(page, link => PersonLinkResponse.From(link, personId), cancellationToken));
    }

    public static async Task<Results<Ok<PersonLinkResponse>, ProblemHttpResult>> GetLink(
        Guid personId, Guid id, ContactsDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        if (await Visible(db, personId).AsNoTracking().SingleOrDefaultAsync(l => l.Id == id, cancellationToken) is not { } link)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, link.Version);
        return TypedResults.Ok(PersonLinkResponse.From(link, personId));
    }

    public static async Task<Results<Created<PersonLinkResponse>, ValidationProblem, ProblemHttpResult>> CreateLink(
        Guid personId, PersonLinkRequest request, ContactsDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var errors = request.Validate(personId, out var type, out var reversed);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (!await db.People.AnyAsync(p => p.Id == personId, cancellationToken))
        {
            return ApiProblems.NotFound("person", personId);
        }
        if (await CheckRelatedPersonAsync(db, request.RelatedPersonId!.Value, cancellationToken) is { } unknown)
        {
            return unknown;
        }

        var link = new PersonLink();
        request.ApplyTo(link, personId, type, reversed);
        db.PersonLinks.Add(link);
        if (await SaveAsync(db, link.Id, cancellationToken) is { } conflict)
        {
            return conflict;
        }
        ETags.Set(response, link.Version);
        return TypedResults.Created($"/api/v1/people/{personId}/links/{link.Id}", PersonLinkResponse.From(link, personId));
    }

    public static async Task<Results<Ok<PersonLinkResponse>, ValidationProblem, ProblemHttpResult>> UpdateLink(
        Guid personId, Guid id, PersonLinkRequest request, ContactsDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = request.Validate(personId, out var type, out var reversed);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (await Visible(db, personId).SingleOrDefaultAsync(l => l.Id == id, cancellationToken) is not { } link)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, link.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (request.RelatedPersonId != link.OtherThan(personId)
            && await CheckRelatedPersonAsync(db, request.RelatedPersonId!.Value, cancellationToken) is { } unknown)
        {
            return unknown;
        }

        request.ApplyTo(link, personId, type, reversed);
        if (await SaveAsync(db, id, cancellationToken) is { } conflict)
        {
            return conflict;
        }
        ETags.Set(http.Response, link.Version);
        return TypedResults.Ok(PersonLinkResponse.From(link, personId));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteLink(
        Guid personId, Guid id, ContactsDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        if (await Visible(db, personId).SingleOrDefaultAsync(l => l.Id == id, cancellationToken) is not { } link)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(request, link.Version, out _) is { } precondition)
        {
            return precondition;
        }
        db.PersonLinks.Remove(link);
        return await SaveAsync(db, id, cancellationToken) is { } conflict ? conflict : TypedResults.NoContent();
    }

    /// <summary>The person's links in both directions whose two people the caller may see (db.People carries the scope).</summary>
    private static IQueryable<PersonLink> Visible(ContactsDbContext db, Guid personId) =>
        db.PersonLinks.Where(l => (l.PersonId == personId || l.RelatedPersonId == personId)
            && db.People.Any(p => p.Id == l.PersonId)
            && db.People.Any(p => p.Id == l.RelatedPersonId));

    private static async Task<ProblemHttpResult?> CheckRelatedPersonAsync(ContactsDbContext db, Guid relatedPersonId, CancellationToken cancellationToken) =>
        await db.People.AnyAsync(p => p.Id == relatedPersonId, cancellationToken)
            ? null
            : ApiProblems.Unprocessable($"Person '{relatedPersonId}' does not exist.",
                new Dictionary<string, string[]> { ["relatedPersonId"] = [$"No person with id '{relatedPersonId}'."] });

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
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return ApiProblems.Conflict("These two people are already linked this way.");
        }
        catch (DbUpdateException ex) when (ex.IsForeignKeyViolation())
        {
            return ApiProblems.Unprocessable("One of the two people was deleted while this request ran.",
                new Dictionary<string, string[]> { ["relatedPersonId"] = ["No such person."] });
        }
    }
}
