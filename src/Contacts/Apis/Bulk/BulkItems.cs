using System.Text.Json;
using CrmPlatform.Contracts;
using CrmPlatform.Persistence.Bulk;
using CrmPlatform.Persistence.Outbox;
using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Apis;

/// <summary>How an item of a bulk write finds the record it updates; none found creates one.</summary>
public sealed record BulkExternalId(string? System, string? Value);

/// <summary>One item's answer: its status as a single write would have answered it, the record's id or the problem.</summary>
public sealed record BulkItemResult(int Index, int Status, Guid? Id, ProblemDetails? Problem);

public sealed record BulkResponse(IReadOnlyList<BulkItemResult> Results, int Created, int Updated, int Failed)
{
    public static BulkResponse Of(IReadOnlyList<BulkItemResult> results) => new(results,
        results.Count(r => r.Status == StatusCodes.Status201Created),
        results.Count(r => r.Status == StatusCodes.Status200OK),
        results.Count(r => r.Problem is not null));
}

/// <summary>
/// What every bulk item may say besides the record's fields: <c>id</c>, <c>matchBy</c> and <c>externalId</c>. Without
/// <c>matchBy</c> an item matches by id when it gives one, else by external id when it gives one, else by the record's
/// natural key (a person's email, an organization's domain).
/// </summary>
internal sealed record BulkKeys(Guid? Id, string? MatchBy, BulkExternalId? ExternalId)
{
    public const int MaxItems = 1000;

    /// <summary>
    /// The item's match key and external id, checked, or the field errors added to <paramref name="errors"/>. Matching
    /// by the natural key by default when the item has none (an organization without a domain) simply creates.
    /// </summary>
    public (string MatchBy, (string Source, string Value)? ExternalKey) Check(string naturalKey, bool hasNaturalKey, FieldErrors errors)
    {
        var matchBy = MatchBy ?? (Id is not null ? "id" : ExternalId is not null ? "externalId" : naturalKey);
        (string, string)? externalKey = null;
        if (ExternalId is { } external)
        {
            var source = external.System ?? "";
            foreach (var (field, messages) in ExternalIdsApi.Validate(ref source, external.Value ?? ""))
            {
                errors.Add($"externalId.{(field == "source" ? "system" : "value")}", messages[0]);
            }
            externalKey = (source, external.Value ?? "");
        }
        if (matchBy != "id" && matchBy != "externalId" && matchBy != naturalKey)
        {
            errors.Add("matchBy", $"matchBy is id, {naturalKey} or externalId.");
        }
        else if (matchBy == "id" && Id is null)
        {
            errors.Add("id", "id is required to match by id.");
        }
        else if (matchBy == "externalId" && ExternalId is null)
        {
            errors.Add("externalId", "externalId is required to match by external id.");
        }
        else if (MatchBy == naturalKey && !hasNaturalKey)
        {
            errors.Add(naturalKey, $"{naturalKey} is required to match by {naturalKey}.");
        }
        return (matchBy, externalKey);
    }

    /// <summary>
    /// One item read: its keys and the record's values checked by the single write's own reader, or the item's 400
    /// (malformed JSON, field errors, bad keys). <paramref name="naturalKey"/> names what it matches by default.
    /// </summary>
    public static BulkItem<TRecord, TValues> ReadItem<TRequest, TRecord, TValues>(int index, JsonElement element, string naturalKey,
        Func<TRequest, (TValues? Values, FieldErrors Errors)> read, Func<TValues, bool> hasNaturalKey)
        where TRequest : class where TRecord : class where TValues : class
    {
        var item = new BulkItem<TRecord, TValues>(index);
        BulkKeys? keys;
        TRequest? request;
        try
        {
            (keys, request) = (element.Deserialize<BulkKeys>(JsonSerializerOptions.Web), element.Deserialize<TRequest>(JsonSerializerOptions.Web));
        }
        catch (JsonException ex)
        {
            item.Fail(Malformed(ex.Message));
            return item;
        }
        if (keys is null || request is null)
        {
            item.Fail(Malformed("An item is a JSON object."));
            return item;
        }
        var (values, errors) = read(request);
        item.Id = keys.Id;
        (item.MatchBy, item.ExternalKey) = keys.Check(naturalKey, values is not null && hasNaturalKey(values), errors);
        if (!errors.IsValid)
        {
            item.Fail(Invalid(errors));
            return item;
        }
        item.Values = values;
        return item;

        static ProblemDetails Malformed(string detail) => new() { Status = StatusCodes.Status400BadRequest, Title = "Malformed item", Detail = detail };
    }

    /// <summary>An item's field errors, as a single write's 400 would carry them.</summary>
    private static ProblemDetails Invalid(FieldErrors errors) => new()
    {
        // The errors as an extension: a nested HttpValidationProblemDetails would be written as a plain ProblemDetails, without them.
        Status = StatusCodes.Status400BadRequest, Title = "One or more validation errors occurred.", Extensions = { ["errors"] = errors },
    };

    public static ValidationProblem? CheckCount<T>(IReadOnlyList<T>? items, string what) => items is { Count: > 0 and <= MaxItems }
        ? null
        : TypedResults.ValidationProblem(new FieldErrors().Add("items", $"items holds 1 to {MaxItems} {what}."));
}

/// <summary>An item's progress through a bulk write: how it is matched, what it writes, and its answer once decided.</summary>
internal sealed class BulkItem<TRecord, TValues>(int index) where TRecord : class
{
    public int Index { get; } = index;
    public TValues? Values { get; set; }
    public string MatchBy { get; set; } = "";
    public Guid? Id { get; set; }
    public (string Source, string Value)? ExternalKey { get; set; }
    public TRecord? Record { get; set; }
    public int? Status { get; set; }
    public ProblemDetails? Problem { get; set; }
    public bool IsOpen => Problem is null;

    public void Fail(ProblemHttpResult problem) => (Status, Problem) = (problem.StatusCode, problem.ProblemDetails);

    public void Fail(ProblemDetails problem) => (Status, Problem) = (problem.Status, problem);

    /// <summary>
    /// The record this item's keys found, or null to create one; false (the item failed) when the keys found a record
    /// the caller may not see, or name an id that is no one's or not the record matched.
    /// </summary>
    public bool TryTarget(Guid? target, IReadOnlyDictionary<Guid, TRecord> visible, Func<TRecord, Guid> idOf, string resource, string takenByAnother,
        out TRecord? record)
    {
        record = null;
        if (target is { } id && !visible.TryGetValue(id, out record))
        {
            Fail(MatchBy == "id" ? ApiProblems.NotFound(resource, id) : ApiProblems.Conflict(takenByAnother));
            return false;
        }
        if (record is null && Id is { } unknown)
        {
            // Ids are the platform's to give: an id that matches no one is a mistake, not a wish to create.
            Fail(ApiProblems.NotFound(resource, unknown));
            return false;
        }
        if (record is not null && Id is { } givenId && givenId != idOf(record))
        {
            Fail(ApiProblems.Conflict($"The id '{givenId}' is not the {resource} this item matched ('{idOf(record)}')."));
            return false;
        }
        return true;
    }

    public BulkItemResult Result(Func<TRecord, Guid> id) => new(Index, Status!.Value, IsOpen ? id(Record!) : null, Problem);
}

/// <summary>The end every bulk write shares: each item's event beside its change, and one commit.</summary>
internal static class BulkWrite
{
    /// <summary>
    /// Adds each written item's event (created, or updated when the write changed something) and commits in the caller's
    /// transaction: the new rows of <paramref name="copied"/> by COPY (as an import batch's are, which is what makes a
    /// thousand creates one round trip per table rather than a thousand), the rest by SaveChanges.
    /// </summary>
    public static async Task CommitAsync<TRecord, TValues>(TenantDbContext db, IEnumerable<BulkItem<TRecord, TValues>> items, IReadOnlyList<Type> copied,
        Func<TRecord, IIntegrationEvent> created, Func<TRecord, IIntegrationEvent> updated, DateTime now, OutboxSignal outbox, CancellationToken cancellationToken)
        where TRecord : class
    {
        db.Stamp();
        foreach (var item in items.Where(i => i.IsOpen))
        {
            if (item.Status == StatusCodes.Status201Created)
            {
                db.AddEvent(created(item.Record!));
            }
            else if (db.Entry(item.Record!).State == EntityState.Modified)
            {
                db.AddEvent(updated(item.Record!));
            }
        }
        await BulkInsert.WriteAddedAsync(db, copied, now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await db.Database.CommitTransactionAsync(cancellationToken);
        outbox.Notify();
    }
}
