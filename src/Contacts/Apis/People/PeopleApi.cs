using System.Text.Json;
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

public static class PeopleApi
{
    private const string Resource = "person";

    public static RouteGroupBuilder MapPeopleApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/people").WithTags("People");
        api.MapGet("/", ListPeople).Lists(ListFields).RequirePermission(Permissions.People, Operation.Read);
        api.MapGet("/{id:guid}", GetPerson).RequirePermission(Permissions.People, Operation.Read);
        api.MapPost("/", CreatePerson).RequirePermission(Permissions.People, Operation.Create);
        api.MapPut("/{id:guid}", UpdatePerson).RequirePermission(Permissions.People, Operation.Update);
        api.MapDelete("/{id:guid}", DeletePerson).RequirePermission(Permissions.People, Operation.Delete);
        return api;
    }

    internal static readonly ListFields<Person> ListFields = new ListFields<Person>()
        // Any of a person's addresses, not only the primary.
        .Filter("email", value =>
        {
            var address = Person.NormalizeEmail(value);
            return p => p.EmailIndex.Any(e => e.Address == address);
        })
        // Any of a person's numbers, written in any form with its country code.
        .Filter("phone", value => E164.TryNormalize(value, null, out var number)
            ? p => EF.Functions.JsonContains(p.Phones, JsonSerializer.Serialize(new[] { new { number } }, JsonSerializerOptions.Web))
            : null)
        .Filter("tag", value =>
        {
            var tag = Tags.Normalize(value);
            return p => p.Tags.Contains(tag);
        })
        .Filter("language", p => p.Language)
        .Filter("ownerId", p => p.OwnerId)
        .Filter("doNotCall", p => p.DoNotCall)
        .Filter("doNotEmail", p => p.DoNotEmail)
        .Filter("preferredChannel", p => p.PreferredChannel)
        .Filter("firstName", p => p.FirstName)
        .Filter("lastName", p => p.LastName)
        .Filter("jobTitle", p => p.JobTitle)
        .Filter("organizationId", p => p.OrganizationId)
        .Sort("updatedAt", p => p.UpdatedAt)
        .Sort("firstName", p => p.FirstName)
        .Sort("lastName", p => p.LastName)
        .Sort("email", p => p.NormalizedEmail)
        // Filtered on the sort's own expression, so one index (migration PeopleListIndexes) serves the filter, the sort
        // and both together; a filter on the bare column could not use it, and sorting its matches read them all.
        .Filter("segment", value => p => (p.Segment ?? "") == value)
        .Filter("industry", value => p => (p.Industry ?? "") == value)
        .Filter("rating", value => KindNames.TryParse<Rating>(value, out var rating) ? p => ((int?)p.Rating ?? 0) == (int)rating : null)
        .Filter("lifecycleStage", value => KindNames.TryParse<LifecycleStage>(value, out var stage) ? p => ((int?)p.LifecycleStage ?? 0) == (int)stage : null)
        // Unclassified people first (the empty segment, rank 0), then by name or rank.
        .Sort("segment", p => p.Segment ?? "")
        .Sort("industry", p => p.Industry ?? "")
        .Sort("rating", p => (int?)p.Rating ?? 0)
        .Sort("lifecycleStage", p => (int?)p.LifecycleStage ?? 0);

    public static async Task<Results<Ok<CursorPage<PersonResponse>>, ValidationProblem>> ListPeople(
        ContactsDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        var fields = CustomFieldQueries.NamesCustomFields(request.Query)
            ? ListFields.WithCustomFields(await db.CustomFieldsOfAsync(CustomFieldEntity.Person, cancellationToken))
            : ListFields;
        if (!ListQuery<Person>.TryParse(request.Query, fields, out var list, out var errors))
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
            return await MergedRecords.ProblemAsync(db, Resource, "/api/v1/people", id, cancellationToken) ?? ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, person.Version);
        return TypedResults.Ok(PersonResponse.From(person));
    }

    public static async Task<Results<Created<PersonResponse>, ValidationProblem, ProblemHttpResult>> CreatePerson(
        PersonRequest request, ContactsDbContext db, HttpRequest http, HttpResponse response, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (request.Read(await db.CustomFieldsOfAsync(CustomFieldEntity.Person, cancellationToken),
            await ContactSettings.DefaultCountryAsync(db, cancellationToken), out var errors) is not { } values)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (await DuplicateCheck.PersonAsync(db, http, PersonValuesProbe.From(values), cancellationToken) is { } duplicates)
        {
            return duplicates;
        }
        var person = new Person();
        if (await WriteAsync(db, person, values, isNew: true, cancellationToken) is { } problem)
        {
            return problem;
        }
        await DuplicateDetection.RecordForReviewAsync(db, MergeKinds.Person, person.Id, clock.GetUtcNow().UtcDateTime, cancellationToken);
        ETags.Set(response, person.Version);
        return TypedResults.Created($"/api/v1/people/{person.Id}", PersonResponse.From(person));
    }

    public static async Task<Results<Ok<PersonResponse>, ValidationProblem, ProblemHttpResult>> UpdatePerson(
        Guid id, PersonRequest request, ContactsDbContext db, HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (request.Read(await db.CustomFieldsOfAsync(CustomFieldEntity.Person, cancellationToken),
            await ContactSettings.DefaultCountryAsync(db, cancellationToken), out var errors) is not { } values)
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
        if (person.ErasedAt is not null)
        {
            return ApiProblems.Conflict($"The person '{id}' was erased at the data subject's request; their data cannot be written back.");
        }
        if (await WriteAsync(db, person, values, isNew: false, cancellationToken) is { } problem)
        {
            return problem;
        }
        await DuplicateDetection.RecordForReviewAsync(db, MergeKinds.Person, person.Id, clock.GetUtcNow().UtcDateTime, cancellationToken);
        ETags.Set(http.Response, person.Version);
        return TypedResults.Ok(PersonResponse.From(person));
    }

    /// <summary>
    /// Writes a new or a loaded person with its event: the organization must exist (422) and no one else may have one
    /// of the addresses (409). Null when saved.
    /// </summary>
    internal static async Task<ProblemHttpResult?> WriteAsync(
        ContactsDbContext db, Person person, PersonValues values, bool isNew, CancellationToken cancellationToken)
    {
        if (await CheckOrganizationAsync(db, values.OrganizationId, cancellationToken) is { } unknownOrganization)
        {
            return unknownOrganization;
        }
        if (await FindDuplicateAsync(db, values.Emails, exceptId: isNew ? null : person.Id, cancellationToken) is { } duplicate)
        {
            return duplicate;
        }

        values.ApplyTo(person);
        if (isNew)
        {
            db.People.Add(person);
        }
        db.Stamp();
        if (isNew)
        {
            db.AddEvent(person.Created());
        }
        else if (db.Entry(person).State == EntityState.Modified)
        {
            db.AddEvent(person.Updated());
        }
        return await SaveAsync(db, values.Emails, person.Id, cancellationToken);
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

    /// <summary>
    /// 409 when another person of the tenant has one of these addresses (as primary or not), naming them if the caller
    /// may see them; someone outside the caller's record scope is not named.
    /// </summary>
    private static async Task<ProblemHttpResult?> FindDuplicateAsync(
        ContactsDbContext db, IReadOnlyList<EmailAddress> emails, Guid? exceptId, CancellationToken cancellationToken)
    {
        var addresses = emails.Select(e => e.Address).ToList();
        var taken = await db.PersonEmails.AsNoTracking()
            .Where(e => addresses.Contains(e.Address) && e.PersonId != exceptId)
            .OrderBy(e => e.Address)
            .FirstOrDefaultAsync(cancellationToken);
        if (taken is null)
        {
            return null;
        }
        var existing = await db.People.AsNoTracking()
            .Where(p => p.Id == taken.PersonId)
            .Select(p => new { p.Id, p.FirstName, p.LastName })
            .FirstOrDefaultAsync(cancellationToken);
        if (existing is null)
        {
            return ApiProblems.Conflict($"Another person already has the email address {taken.Address}.");
        }
        var name = $"{existing.FirstName} {existing.LastName}".Trim();
        return ApiProblems.Conflict(
            $"{name} ('{existing.Id}') already has the email address {taken.Address}.",
            new Dictionary<string, object?> { ["existingPerson"] = new { id = existing.Id, displayName = name }, ["email"] = taken.Address });
    }

    /// <summary>Saves, turning the races the checks above cannot see (same email, concurrent edit) into 409s.</summary>
    private static async Task<ProblemHttpResult?> SaveAsync(
        ContactsDbContext db, IReadOnlyList<EmailAddress> emails, Guid id, CancellationToken cancellationToken)
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
            return await FindDuplicateAsync(db, emails, id, cancellationToken)
                ?? ApiProblems.Conflict("Another person was given one of these email addresses while this request ran.");
        }
        catch (DbUpdateException ex) when (ex.IsForeignKeyViolation())
        {
            return ApiProblems.Unprocessable("The organization was deleted while this request ran.",
                new Dictionary<string, string[]> { ["organizationId"] = ["No such organization."] });
        }
    }
}
