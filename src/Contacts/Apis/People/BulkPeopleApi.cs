using System.Text.Json;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Imports;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Contacts.Settings;
using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Bulk;
using CrmPlatform.Persistence.Outbox;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Apis;

/// <summary>How an item of a bulk write finds the person it updates; none found creates one.</summary>
public sealed record BulkExternalId(string? System, string? Value);

/// <summary>
/// Up to <see cref="BulkPeopleApi.MaxItems"/> people, each a <see cref="PersonRequest"/> with optional <c>id</c>,
/// <c>matchBy</c> (<c>id</c>, <c>email</c> or <c>externalId</c>; default: <c>id</c> when given, else <c>externalId</c>
/// when given, else <c>email</c>) and <c>externalId</c> (<c>{ "system", "value" }</c>). Items are kept as JSON so that
/// one malformed item is that item's 400, not the whole request's.
/// </summary>
public sealed record BulkPeopleRequest(IReadOnlyList<JsonElement>? Items);

/// <summary>One item's answer: its status as a single write would have answered it, the person's id or the problem.</summary>
public sealed record BulkItemResult(int Index, int Status, Guid? Id, ProblemDetails? Problem);

public sealed record BulkResponse(IReadOnlyList<BulkItemResult> Results, int Created, int Updated, int Failed);

/// <summary>
/// <c>POST /api/v1/people/bulk</c>: create-or-update many people in one transaction. Each item is read by the API's own
/// <see cref="PersonRequest.Read"/> and checked by the same rules as a single write (addresses free, organization
/// known, not erased, no likely duplicate), but every look-up is one query per key kind for the whole request, and
/// new people, their external ids and events are written by COPY. A failing item does not stop the others.
/// <c>Idempotency-Key</c> works as on every POST (<c>IdempotentPosts</c>).
/// </summary>
public static class BulkPeopleApi
{
    public const int MaxItems = 1000;

    /// <summary>What a request adds by COPY, parents first; updates and the rest go by SaveChanges in the same transaction.</summary>
    private static readonly Type[] BulkWritten = [typeof(Person), typeof(PersonExternalId), typeof(OutboxMessage)];

    private sealed record Keys(Guid? Id, string? MatchBy, BulkExternalId? ExternalId);

    private sealed class Item(int index)
    {
        public int Index { get; } = index;
        public PersonValues? Values { get; set; }
        public string MatchBy { get; set; } = "email";
        public Guid? Id { get; set; }
        public (string Source, string Value)? ExternalKey { get; set; }
        public Person? Person { get; set; }
        public int? Status { get; set; }
        public ProblemDetails? Problem { get; set; }
        public bool IsOpen => Problem is null;

        public void Fail(ProblemHttpResult problem) => (Status, Problem) = (problem.StatusCode, problem.ProblemDetails);
    }

    public static void MapBulkPeopleApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/people/bulk", UpsertPeople).WithName("bulkUpsertPeople").WithTags("People")
            .WithSummary("Creates or updates up to 1,000 people, answering per item")
            .RequirePermission(Permissions.People, Operation.Create).RequirePermission(Permissions.People, Operation.Update);
    }

    public static async Task<Results<Ok<BulkResponse>, ValidationProblem, ProblemHttpResult>> UpsertPeople(
        BulkPeopleRequest request, ContactsDbContext db, IImportDuplicateCheck duplicateCheck, OutboxSignal outbox, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        if (request.Items is not { Count: > 0 and <= MaxItems } elements)
        {
            return TypedResults.ValidationProblem(new FieldErrors().Add("items", $"items holds 1 to {MaxItems} people."));
        }
        var customFields = await db.CustomFieldsOfAsync(CustomFieldEntity.Person, cancellationToken);
        var defaultCountry = await ContactSettings.DefaultCountryAsync(db, cancellationToken);
        var items = elements.Select((element, index) => Read(index, element, customFields, defaultCountry)).ToList();

        await MatchAsync(db, items, cancellationToken);
        await CheckOrganizationsAsync(db, items, cancellationToken);
        var candidates = items.Where(i => i.IsOpen && i.Person is null).Select(i => new NewPersonCandidate(i.Index, i.Values!)).ToList();
        if (candidates.Count > 0)
        {
            var likely = await duplicateCheck.FindLikelyDuplicatesAsync(db, candidates, cancellationToken);
            foreach (var item in items.Where(i => i.IsOpen && likely.ContainsKey(i.Index)))
            {
                item.Fail(ApiProblems.Conflict(likely[item.Index]));
            }
        }

        foreach (var item in items.Where(i => i.IsOpen))
        {
            if (item.Person is { } person)
            {
                item.Values!.ApplyTo(person);
                item.Status = StatusCodes.Status200OK;
                continue;
            }
            item.Person = new Person();
            item.Values!.ApplyTo(item.Person);
            db.People.Add(item.Person);
            if (item.ExternalKey is { } key)
            {
                db.PersonExternalIds.Add(new PersonExternalId { Source = key.Source, ExternalId = key.Value, PersonId = item.Person.Id });
            }
            item.Status = StatusCodes.Status201Created;
        }
        db.Stamp();
        foreach (var item in items.Where(i => i.IsOpen))
        {
            if (item.Status == StatusCodes.Status201Created)
            {
                db.AddEvent(item.Person!.Created());
            }
            else if (db.Entry(item.Person!).State == EntityState.Modified)
            {
                db.AddEvent(item.Person!.Updated());
            }
        }

        try
        {
            // One transaction: the valid items commit together with their events and audit. New rows go by COPY (as an
            // import batch's do), which is what makes a thousand creates one round trip per table rather than a thousand.
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await BulkInsert.WriteAddedAsync(db, BulkWritten, clock.GetUtcNow().UtcDateTime, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            outbox.Notify();
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.Conflict("Some of these people were changed by someone else while this request ran; send it again.");
        }
        catch (Exception ex) when (ex.IsUniqueViolation() || ex.IsForeignKeyViolation())
        {
            return ApiProblems.Conflict("Another write took one of these email addresses or external ids, or deleted an organization, while this request ran; send it again.");
        }

        var results = items.Select(i => new BulkItemResult(i.Index, i.Status!.Value, i.IsOpen ? i.Person!.Id : null, i.Problem)).ToList();
        return TypedResults.Ok(new BulkResponse(results,
            results.Count(r => r.Status == StatusCodes.Status201Created),
            results.Count(r => r.Status == StatusCodes.Status200OK),
            results.Count(r => r.Problem is not null)));
    }

    private static Item Read(int index, JsonElement element, IReadOnlyCollection<CustomFieldDefinition> customFields, string? defaultCountry)
    {
        var item = new Item(index);
        Keys? keys;
        PersonRequest? person;
        try
        {
            keys = element.Deserialize<Keys>(JsonSerializerOptions.Web);
            person = element.Deserialize<PersonRequest>(JsonSerializerOptions.Web);
        }
        catch (JsonException ex)
        {
            item.Fail(TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed item", detail: ex.Message));
            return item;
        }
        if (keys is null || person is null)
        {
            item.Fail(TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed item", detail: "An item is a person object."));
            return item;
        }

        var values = person.Read(customFields, defaultCountry, out var errors);
        item.Id = keys.Id;
        item.MatchBy = keys.MatchBy ?? (keys.Id is not null ? "id" : keys.ExternalId is not null ? "externalId" : "email");
        if (keys.ExternalId is { } external)
        {
            var source = external.System ?? "";
            var keyErrors = ExternalIdsApi.Validate(ref source, external.Value ?? "");
            foreach (var (field, messages) in keyErrors)
            {
                errors.Add($"externalId.{(field == "source" ? "system" : "value")}", messages[0]);
            }
            item.ExternalKey = (source, external.Value ?? "");
        }
        if (item.MatchBy is not ("id" or "email" or "externalId"))
        {
            errors.Add("matchBy", "matchBy is id, email or externalId.");
        }
        else if (item.MatchBy == "id" && keys.Id is null)
        {
            errors.Add("id", "id is required to match by id.");
        }
        else if (item.MatchBy == "externalId" && keys.ExternalId is null)
        {
            errors.Add("externalId", "externalId is required to match by external id.");
        }
        if (!errors.IsValid)
        {
            // The errors as an extension: a nested HttpValidationProblemDetails would be written as a plain ProblemDetails, without them.
            (item.Status, item.Problem) = (StatusCodes.Status400BadRequest, new ProblemDetails
            {
                Status = StatusCodes.Status400BadRequest, Title = "One or more validation errors occurred.", Extensions = { ["errors"] = errors },
            });
            return item;
        }
        item.Values = values;
        return item;
    }

    /// <summary>
    /// Finds who each item is, with one query per key kind: the people named by id, the owners of every address and
    /// the external ids. An item whose person, address or external id an earlier item already claimed is a 409.
    /// </summary>
    private static async Task MatchAsync(ContactsDbContext db, List<Item> items, CancellationToken cancellationToken)
    {
        var open = items.Where(i => i.IsOpen).ToList();
        var addresses = open.SelectMany(i => i.Values!.Emails.Select(e => e.Address)).Distinct().ToList();
        var owners = await db.PersonEmails.AsNoTracking().Where(e => addresses.Contains(e.Address))
            .ToDictionaryAsync(e => e.Address, e => e.PersonId, cancellationToken);
        var externalValues = open.Where(i => i.ExternalKey is not null).Select(i => i.ExternalKey!.Value.Value).Distinct().ToList();
        var mapped = externalValues.Count == 0 ? [] : (await db.PersonExternalIds.AsNoTracking()
                .Where(e => externalValues.Contains(e.ExternalId)).ToListAsync(cancellationToken))
            .ToDictionary(e => (e.Source, e.ExternalId), e => e.PersonId);

        var targets = new Dictionary<Item, Guid?>();
        foreach (var item in open)
        {
            targets[item] = item.MatchBy switch
            {
                "id" => item.Id,
                "externalId" => mapped.TryGetValue(item.ExternalKey!.Value, out var byKey) ? byKey : null,
                _ => owners.TryGetValue(item.Values!.Emails.Single(e => e.Primary).Address, out var owner) ? owner : null,
            };
        }
        // Row-scoped and tenant-filtered like every read: someone the caller may not see is not found.
        var ids = targets.Values.OfType<Guid>().Concat(open.Where(i => i.Id is not null).Select(i => i.Id!.Value)).Distinct().ToList();
        var people = await db.People.Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, cancellationToken);

        var claimedPeople = new Dictionary<Guid, int>();
        var claimedAddresses = new Dictionary<string, int>();
        var claimedKeys = new Dictionary<(string, string), int>();
        foreach (var item in open)
        {
            var target = targets[item];
            Person? person = null;
            if (target is { } id && !people.TryGetValue(id, out person))
            {
                item.Fail(item.MatchBy == "id"
                    ? ApiProblems.NotFound("person", id)
                    : ApiProblems.Conflict("Another person already has this email address or external id."));
                continue;
            }
            if (person is null && item.Id is { } unknown)
            {
                // Ids are the platform's to give: an id that matches no one is a mistake, not a wish to create.
                item.Fail(ApiProblems.NotFound("person", unknown));
                continue;
            }
            if (person is not null && item.Id is { } givenId && givenId != person.Id)
            {
                item.Fail(ApiProblems.Conflict($"The id '{givenId}' is not the person this item matched ('{person.Id}')."));
                continue;
            }
            if (person?.ErasedAt is not null)
            {
                item.Fail(ApiProblems.Conflict($"The person '{person.Id}' was erased at the data subject's request; their data cannot be written back."));
                continue;
            }
            if (item.Values!.Emails.FirstOrDefault(e => owners.TryGetValue(e.Address, out var other) && other != person?.Id) is { } taken)
            {
                item.Fail(ApiProblems.Conflict($"Another person already has the email address {taken.Address}."));
                continue;
            }
            var first = 0;
            if (person is not null && claimedPeople.TryGetValue(person.Id, out first)
                || item.Values.Emails.Any(e => claimedAddresses.TryGetValue(e.Address, out first))
                || item.ExternalKey is { } key && claimedKeys.TryGetValue(key, out first))
            {
                item.Fail(ApiProblems.Conflict($"Item {first} of this request already writes this person, one of these addresses or this external id."));
                continue;
            }
            // A person found by id or email keeps the external ids they have; a new mapping is only made on create.
            if (person is not null && item.MatchBy != "externalId")
            {
                item.ExternalKey = null;
            }
            item.Person = person;
            if (person is not null)
            {
                claimedPeople[person.Id] = item.Index;
            }
            foreach (var email in item.Values.Emails)
            {
                claimedAddresses[email.Address] = item.Index;
            }
            if (item.ExternalKey is { } claimed)
            {
                claimedKeys[claimed] = item.Index;
            }
        }
    }

    private static async Task CheckOrganizationsAsync(ContactsDbContext db, List<Item> items, CancellationToken cancellationToken)
    {
        var ids = items.Where(i => i.IsOpen && i.Values!.OrganizationId is not null).Select(i => i.Values!.OrganizationId!.Value).Distinct().ToList();
        if (ids.Count == 0)
        {
            return;
        }
        var known = (await db.Organizations.AsNoTracking().Where(o => ids.Contains(o.Id)).Select(o => o.Id).ToListAsync(cancellationToken)).ToHashSet();
        foreach (var item in items.Where(i => i.IsOpen && i.Values!.OrganizationId is { } id && !known.Contains(id)))
        {
            var id = item.Values!.OrganizationId!.Value;
            item.Fail(ApiProblems.Unprocessable($"Organization '{id}' does not exist.",
                new Dictionary<string, string[]> { ["organizationId"] = [$"No organization with id '{id}'."] }));
        }
    }
}
