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
using Item = CrmPlatform.Contacts.Apis.BulkItem<CrmPlatform.Contacts.Model.Person, CrmPlatform.Contacts.Apis.PersonValues>;

namespace CrmPlatform.Contacts.Apis;

/// <summary>
/// Up to <see cref="BulkPeopleApi.MaxItems"/> people, each a <see cref="PersonRequest"/> with optional <c>id</c>,
/// <c>matchBy</c> (<c>id</c>, <c>email</c> or <c>externalId</c>; default: <c>id</c> when given, else <c>externalId</c>
/// when given, else <c>email</c>) and <c>externalId</c> (<c>{ "system", "value" }</c>). Items are kept as JSON so that
/// one malformed item is that item's 400, not the whole request's.
/// </summary>
public sealed record BulkPeopleRequest(IReadOnlyList<JsonElement>? Items);

/// <summary>
/// <c>POST /api/v1/people/bulk</c>: create-or-update many people in one transaction. Each item is read by the API's own
/// <see cref="PersonRequest.Read"/> and checked by the same rules as a single write (addresses free, organization
/// known, not erased, no likely duplicate), but every look-up is one query per key kind for the whole request, and
/// new people, their external ids and events are written by COPY. A failing item does not stop the others.
/// <c>Idempotency-Key</c> works as on every POST (<c>IdempotentPosts</c>).
/// </summary>
public static class BulkPeopleApi
{
    public const int MaxItems = BulkKeys.MaxItems;

    /// <summary>What a request adds by COPY, parents first; updates and the rest go by SaveChanges in the same transaction.</summary>
    private static readonly Type[] BulkWritten = [typeof(Person), typeof(PersonExternalId), typeof(OutboxMessage)];

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
        if (BulkKeys.CheckCount(request.Items, "people") is { } tooMany)
        {
            return tooMany;
        }
        var customFields = await db.CustomFieldsOfAsync(CustomFieldEntity.Person, cancellationToken);
        var defaultCountry = await ContactSettings.DefaultCountryAsync(db, cancellationToken);
        var items = request.Items!.Select((element, index) => Read(index, element, customFields, defaultCountry)).ToList();

        await MatchAsync(db, items, cancellationToken);
        await CheckOrganizationsAsync(db, items, cancellationToken);
        var candidates = items.Where(i => i.IsOpen && i.Record is null).Select(i => new NewPersonCandidate(i.Index, i.Values!)).ToList();
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
            if (item.Record is { } person)
            {
                item.Values!.ApplyTo(person);
                item.Status = StatusCodes.Status200OK;
                continue;
            }
            item.Record = new Person();
            item.Values!.ApplyTo(item.Record);
            db.People.Add(item.Record);
            if (item.ExternalKey is { } key)
            {
                db.PersonExternalIds.Add(new PersonExternalId { Source = key.Source, ExternalId = key.Value, PersonId = item.Record.Id });
            }
            item.Status = StatusCodes.Status201Created;
        }
        try
        {
            // One transaction: the valid items commit together with their events and audit.
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await BulkWrite.CommitAsync(db, items, BulkWritten, p => p.Created(), p => p.Updated(), clock.GetUtcNow().UtcDateTime, outbox, cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.Conflict("Some of these people were changed by someone else while this request ran; send it again.");
        }
        catch (Exception ex) when (ex.IsUniqueViolation() || ex.IsForeignKeyViolation())
        {
            return ApiProblems.Conflict("Another write took one of these email addresses or external ids, or deleted an organization, while this request ran; send it again.");
        }

        return TypedResults.Ok(BulkResponse.Of([.. items.Select(i => i.Result(p => p.Id))]));
    }

    private static Item Read(int index, JsonElement element, IReadOnlyCollection<CustomFieldDefinition> customFields, string? defaultCountry) =>
        BulkKeys.ReadItem<PersonRequest, Person, PersonValues>(index, element, "email", person => (person.Read(customFields, defaultCountry, out var errors), errors),
            _ => true);

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
            if (!item.TryTarget(target, people, p => p.Id, "person", "Another person already has this email address or external id.", out var person))
            {
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
            item.Record = person;
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
