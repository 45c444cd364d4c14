using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Apis;

public sealed record PersonRequest(string? FirstName, string? LastName, string? Email, string? Phone, string? JobTitle, Guid? OrganizationId)
{
    public FieldErrors Validate() => new FieldErrors()
        .Required("firstName", FirstName, Person.NameMaxLength)
        .Required("lastName", LastName, Person.NameMaxLength)
        .Required("email", Email, Person.EmailMaxLength)
        .Email("email", Email)
        .MaxLength("phone", Phone, Person.PhoneMaxLength)
        .MaxLength("jobTitle", JobTitle, Person.NameMaxLength);

    public void ApplyTo(Person person)
    {
        person.FirstName = FirstName!.Trim();
        person.LastName = LastName!.Trim();
        person.SetEmail(Email!);
        person.Phone = Phone?.Trim();
        person.JobTitle = JobTitle?.Trim();
        person.OrganizationId = OrganizationId;
    }
}

public sealed record PersonResponse(
    Guid Id, string FirstName, string LastName, string Email, string? Phone, string? JobTitle, Guid? OrganizationId,
    string? OwnerId, DateTime CreatedAt, string? CreatedBy, DateTime UpdatedAt, string? UpdatedBy, int Version)
{
    public static PersonResponse From(Person p) => new(
        p.Id, p.FirstName, p.LastName, p.Email, p.Phone, p.JobTitle, p.OrganizationId, p.OwnerId, p.CreatedAt, p.CreatedBy, p.UpdatedAt, p.UpdatedBy, p.Version);
}

public static class PeopleApi
{
    private const string Resource = "person";

    public static RouteGroupBuilder MapPeopleApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/people").WithTags("People");
        api.MapGet("/", ListPeople).RequirePermission(Permissions.People, Operation.Read);
        api.MapGet("/{id:guid}", GetPerson).RequirePermission(Permissions.People, Operation.Read);
        api.MapPost("/", CreatePerson).RequirePermission(Permissions.People, Operation.Create);
        api.MapPut("/{id:guid}", UpdatePerson).RequirePermission(Permissions.People, Operation.Update);
        api.MapDelete("/{id:guid}", DeletePerson).RequirePermission(Permissions.People, Operation.Delete);
        return api;
    }

    private static readonly ListFields<Person> ListFields = new ListFields<Person>()
        .Filter("email", p => p.NormalizedEmail, Person.NormalizeEmail)
        .Filter("firstName", p => p.FirstName)
        .Filter("lastName", p => p.LastName)
        .Filter("jobTitle", p => p.JobTitle)
        .Filter("organizationId", p => p.OrganizationId)
        .Sort("updatedAt", p => p.UpdatedAt)
        .Sort("firstName", p => p.FirstName)
        .Sort("lastName", p => p.LastName)
        .Sort("email", p => p.NormalizedEmail);

    public static async Task<Results<Ok<CursorPage<PersonResponse>>, ValidationProblem>> ListPeople(
        ContactsDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        if (!ListQuery<Person>.TryParse(request.Query, ListFields, out var list, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await list.ToPageAsync(db.People.AsNoTracking(), PersonResponse.From, cancellationToken));
    }

    public static async Task<Results<Ok<PersonResponse>, ProblemHttpResult>> GetPerson(
        Guid id, ContactsDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var person = await db.People.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (person is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, person.Version);
        return TypedResults.Ok(PersonResponse.From(person));
    }

    public static async Task<Results<Created<PersonResponse>, ValidationProblem, ProblemHttpResult>> CreatePerson(
        PersonRequest request, ContactsDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (await CheckOrganizationAsync(db, request.OrganizationId, cancellationToken) is { } unknownOrganization)
        {
            return unknownOrganization;
        }
        if (await FindDuplicateAsync(db, request.Email!, exceptId: null, cancellationToken) is { } duplicate)
        {
            return duplicate;
        }

        var person = new Person();
        request.ApplyTo(person);
        db.People.Add(person);
        db.Stamp();
        db.AddEvent(person.Created());

        if (await SaveAsync(db, request.Email!, person.Id, cancellationToken) is { } conflict)
        {
            return conflict;
        }
        ETags.Set(response, person.Version);
        return TypedResults.Created($"/api/v1/people/{person.Id}", PersonResponse.From(person));
    }

    public static async Task<Results<Ok<PersonResponse>, ValidationProblem, ProblemHttpResult>> UpdatePerson(
        Guid id, PersonRequest request, ContactsDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var person = await db.People.SingleOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (person is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, person.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (await CheckOrganizationAsync(db, request.OrganizationId, cancellationToken) is { } unknownOrganization)
        {
            return unknownOrganization;
        }
        if (await FindDuplicateAsync(db, request.Email!, exceptId: id, cancellationToken) is { } duplicate)
        {
            return duplicate;
        }

        request.ApplyTo(person);
        db.Stamp();
        if (db.Entry(person).State == EntityState.Modified)
        {
            db.AddEvent(person.Updated());
        }

        if (await SaveAsync(db, request.Email!, person.Id, cancellationToken) is { } conflict)
        {
            return conflict;
        }
        ETags.Set(http.Response, person.Version);
        return TypedResults.Ok(PersonResponse.From(person));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeletePerson(
        Guid id, ContactsDbContext db, TimeProvider clock, HttpRequest request, CancellationToken cancellationToken)
    {
        // Locked until the commit, so that a consent being recorded for the person either finishes first (and is
        // withdrawn below) or waits and finds the person gone.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var person = await db.People.FromSql($"SELECT * FROM people WHERE id = {id} FOR UPDATE").SingleOrDefaultAsync(cancellationToken);
        if (person is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(request, person.Version, out _) is { } precondition)
        {
            return precondition;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        await db.WithdrawAllForDeletionAsync(person.Id, now, cancellationToken);
        db.People.Remove(person);
        db.Stamp();
        db.AddEvent(person.Deleted(now));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, id);
        }
        return TypedResults.NoContent();
    }

    private static async Task<ProblemHttpResult?> CheckOrganizationAsync(ContactsDbContext db, Guid? organizationId, CancellationToken cancellationToken)
    {
        if (organizationId is not { } orgId || await db.Organizations.AnyAsync(o => o.Id == orgId, cancellationToken))
        {
            return null;
        }
        return ApiProblems.Unprocessable($"Organization '{orgId}' does not exist.",
            new Dictionary<string, string[]> { ["organizationId"] = [$"No organization with id '{orgId}'."] });
    }

    private static async Task<ProblemHttpResult?> FindDuplicateAsync(ContactsDbContext db, string email, Guid? exceptId, CancellationToken cancellationToken)
    {
        var normalized = Person.NormalizeEmail(email);
        var existing = await db.People.AsNoTracking()
            .Where(p => p.NormalizedEmail == normalized && p.Id != exceptId)
            .Select(p => new { p.Id, p.FirstName, p.LastName })
            .FirstOrDefaultAsync(cancellationToken);
        if (existing is null)
        {
            return null;
        }
        var name = $"{existing.FirstName} {existing.LastName}".Trim();
        return ApiProblems.Conflict(
            $"{name} ('{existing.Id}') already has the email address {email.Trim()}.",
            new Dictionary<string, object?> { ["existingPerson"] = new { id = existing.Id, displayName = name } });
    }

    /// <summary>Saves, turning the races the checks above cannot see (same email, concurrent edit) into 409s.</summary>
    private static async Task<ProblemHttpResult?> SaveAsync(ContactsDbContext db, string email, Guid id, CancellationToken cancellationToken)
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
            db.ChangeTracker.Clear();
            return await FindDuplicateAsync(db, email, id, cancellationToken)
                ?? ApiProblems.Conflict($"Another person already has the email address {email.Trim()}.");
        }
        catch (DbUpdateException ex) when (ex.IsForeignKeyViolation())
        {
            return ApiProblems.Unprocessable("The organization was deleted while this request ran.",
                new Dictionary<string, string[]> { ["organizationId"] = ["No such organization."] });
        }
    }
}
