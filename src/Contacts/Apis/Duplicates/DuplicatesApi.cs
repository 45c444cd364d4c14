using System.Text.Json;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Duplicates;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Apis;

public sealed record DuplicateRecord(Guid Id, string DisplayName);

public sealed record DuplicatePairResponse(
    Guid Id, string Kind, int Score, string Strength, JsonElement Reasons, IReadOnlyList<DuplicateRecord> Records,
    string Status, DateTime DetectedAt, DateTime UpdatedAt);

/// <summary>
/// The review list of likely duplicates (<c>GET /api/v1/duplicates?kind=person|organization</c>, keyset-paged, sorted
/// by <c>createdAt</c> or <c>score</c>), dismissing a pair, and asking for a scan now (admins).
/// </summary>
public static class DuplicatesApi
{
    public static void MapDuplicatesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/duplicates").WithTags("Duplicates");
        api.MapGet("/", ListDuplicates).Lists(Fields).RequirePermission(Permissions.Duplicates, Operation.Read);
        api.MapPost("/{id:guid}/dismiss", DismissDuplicate).RequirePermission(Permissions.Duplicates, Operation.Delete);
        api.MapPost("/scan", RequestScan).RequirePermission(Permissions.DuplicateScans, Operation.Create);
    }

    private static readonly ListFields<DuplicatePair> Fields = new ListFields<DuplicatePair>().Sort("score", p => p.Score);

    public static async Task<Results<Ok<CursorPage<DuplicatePairResponse>>, ValidationProblem>> ListDuplicates(
        ContactsDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        var kind = request.Query["kind"].ToString();
        var errors = new FieldErrors().When(kind is not (MergeKinds.Person or MergeKinds.Organization), "kind", "Say person or organization.");
        if (!ListQuery<DuplicatePair>.TryParse(request.Query, Fields, out var list, out var listErrors) || !errors.IsValid)
        {
            foreach (var (field, messages) in listErrors)
            {
                errors[field] = messages;
            }
            return TypedResults.ValidationProblem(errors);
        }

        // Only pairs whose both records the caller can see (tenant and record scope), and that still exist.
        var pairs = db.DuplicatePairs.AsNoTracking().Where(p => p.Kind == kind && p.Status == DuplicatePair.Open);
        pairs = kind == MergeKinds.Person
            ? pairs.Where(p => db.People.Any(r => r.Id == p.RecordId) && db.People.Any(r => r.Id == p.OtherId))
            : pairs.Where(p => db.Organizations.Any(r => r.Id == p.RecordId) && db.Organizations.Any(r => r.Id == p.OtherId));
        var page = await list.ToPageAsync(pairs, p => p, cancellationToken);

        var ids = page.Items.SelectMany(p => new[] { p.RecordId, p.OtherId }).Distinct().ToList();
        var names = kind == MergeKinds.Person
            ? await db.People.AsNoTracking().Where(r => ids.Contains(r.Id)).ToDictionaryAsync(r => r.Id, r => (r.FirstName + " " + r.LastName).Trim(), cancellationToken)
            : await db.Organizations.AsNoTracking().Where(r => ids.Contains(r.Id)).ToDictionaryAsync(r => r.Id, r => r.Name, cancellationToken);
        return TypedResults.Ok(new CursorPage<DuplicatePairResponse>([.. page.Items.Select(p => Response(p, names))], page.NextCursor));
    }

    /// <summary>Dismissing again is no change; a dismissed pair is never listed again.</summary>
    public static async Task<Results<Ok<DuplicatePairResponse>, ProblemHttpResult>> DismissDuplicate(
        Guid id, ContactsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var pair = await db.DuplicatePairs.SingleOrDefaultAsync(p => p.Id == id, cancellationToken);
        var visible = pair is not null && (pair.Kind == MergeKinds.Person
            ? await db.People.CountAsync(r => r.Id == pair.RecordId || r.Id == pair.OtherId, cancellationToken)
            : await db.Organizations.CountAsync(r => r.Id == pair.RecordId || r.Id == pair.OtherId, cancellationToken)) == 2;
        if (!visible)
        {
            return ApiProblems.NotFound("duplicate pair", id);
        }
        if (pair!.Status != DuplicatePair.Dismissed)
        {
            pair.Status = DuplicatePair.Dismissed;
            pair.DismissedAt = pair.UpdatedAt = clock.GetUtcNow().UtcDateTime;
            pair.DismissedBy = db.CurrentActorId;
            await db.SaveChangesAsync(cancellationToken);
        }
        return TypedResults.Ok(Response(pair, new Dictionary<Guid, string>()));
    }

    /// <summary>202: the background scan runs for the caller's tenant as soon as it is free; its pairs appear in the list.</summary>
    public static Accepted RequestScan(ContactsDbContext db, DuplicateScanRequests requests)
    {
        requests.Request(db.CurrentTenantId);
        return TypedResults.Accepted("/api/v1/duplicates");
    }

    private static DuplicatePairResponse Response(DuplicatePair pair, IReadOnlyDictionary<Guid, string> names) => new(
        pair.Id, pair.Kind, pair.Score, DuplicateCandidate.StrengthOf(pair.Score), pair.Reasons.RootElement.Clone(),
        [new DuplicateRecord(pair.RecordId, names.GetValueOrDefault(pair.RecordId, "")), new DuplicateRecord(pair.OtherId, names.GetValueOrDefault(pair.OtherId, ""))],
        pair.Status, pair.CreatedAt, pair.UpdatedAt);
}
