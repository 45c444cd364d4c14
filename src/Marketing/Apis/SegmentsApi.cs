using System.Text.Json;
using CrmPlatform.Marketing.Data;
using CrmPlatform.Marketing.Segments;
using CrmPlatform.Persistence.ContactDirectory;
using CrmPlatform.Persistence.Outbox;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Marketing.Apis;

/// <summary>
/// A segment as written: <c>kind</c> <c>dynamic</c> (the default) with <c>rules</c>, a tree of
/// <c>{ "all": [...] }</c> / <c>{ "any": [...] }</c> groups and <c>{ "field", "op", "value" }</c> conditions, or
/// <c>static</c> (a list, without rules, whose members are added and removed by hand).
/// </summary>
public sealed record SegmentRequest(string? Name, string? Description, string? Kind, JsonElement? Rules)
{
    public FieldErrors Validate(out RuleNode? rules)
    {
        rules = null;
        var kind = Kind ?? SegmentKinds.Dynamic;
        var errors = new FieldErrors()
            .Required("name", Name, Segment.NameMaxLength)
            .MaxLength("description", Description, Segment.DescriptionMaxLength)
            .When(!SegmentKinds.All.Contains(kind), "kind", $"kind is one of: {string.Join(", ", SegmentKinds.All)}.");
        var hasRules = Rules is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) };
        if (kind == SegmentKinds.Static)
        {
            errors.When(hasRules, "rules", "A static segment has no rules: add and remove its members instead.");
        }
        else if (kind == SegmentKinds.Dynamic)
        {
            if (!hasRules)
            {
                errors.Add("rules", "A dynamic segment needs rules.");
            }
            else
            {
                rules = SegmentRules.Parse(Rules!.Value, "rules", errors);
            }
        }
        return errors;
    }

    public string KindOrDefault => Kind ?? SegmentKinds.Dynamic;
}

public sealed record SegmentResponse(
    Guid Id, string Name, string? Description, string Kind, JsonElement? Rules, long MemberCount,
    DateTime CreatedAt, string? CreatedBy, DateTime UpdatedAt, string? UpdatedBy, int Version)
{
    public static SegmentResponse From(Segment s, long memberCount) => new(
        s.Id, s.Name, s.Description, s.Kind, s.Rules is null ? null : JsonDocument.Parse(s.Rules).RootElement.Clone(), memberCount,
        s.CreatedAt, s.CreatedBy, s.UpdatedAt, s.UpdatedBy, s.Version);
}

/// <summary>Rules to try before saving them as a segment.</summary>
public sealed record SegmentPreviewRequest(JsonElement? Rules);

/// <summary>How many people the rules match now, and the first few of them.</summary>
public sealed record SegmentPreviewResponse(long Count, IReadOnlyList<SegmentSample> Sample);

/// <summary>A current member: since when, and who (from Marketing's copy of the contacts).</summary>
public sealed record SegmentMemberResponse(Guid PersonId, string DisplayName, string? Email, DateTime EnteredAt);

public sealed record SegmentMembersRequest(IReadOnlyList<Guid>? PersonIds);

public sealed record SegmentMembersAdded(int Added);

public static class SegmentsApi
{
    private const string Resource = "segment";
    private const int MaxPeoplePerRequest = 1000;
    private const int SampleSize = 10;

    public static RouteGroupBuilder MapSegmentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/segments").WithTags("Segments");
        api.MapGet("/", ListSegments).RequirePermission(Permissions.Segments, Operation.Read);
        api.MapGet("/{id:guid}", GetSegment).RequirePermission(Permissions.Segments, Operation.Read);
        api.MapPost("/", CreateSegment).RequirePermission(Permissions.Segments, Operation.Create);
        api.MapPut("/{id:guid}", UpdateSegment).RequirePermission(Permissions.Segments, Operation.Update);
        api.MapDelete("/{id:guid}", DeleteSegment).RequirePermission(Permissions.Segments, Operation.Delete);
        // Previewing runs the rules without saving anything: reading, as far as permissions go.
        api.MapPost("/preview", PreviewSegment).RequirePermission(Permissions.Segments, Operation.Read);
        api.MapGet("/{id:guid}/members", ListSegmentMembers).RequirePermission(Permissions.Segments, Operation.Read);
        api.MapPost("/{id:guid}/members", AddSegmentMembers).RequirePermission(Permissions.Segments, Operation.Update);
        api.MapDelete("/{id:guid}/members/{personId:guid}", RemoveSegmentMember).RequirePermission(Permissions.Segments, Operation.Update);
        return api;
    }

    public static async Task<Results<Ok<CursorPage<SegmentResponse>>, ValidationProblem>> ListSegments(
        MarketingDbContext db, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!PageRequest.TryParse(limit, cursor, out var page, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        var segments = await db.Segments.AsNoTracking().ToCursorPageAsync(page, s => s, cancellationToken);
        var ids = segments.Items.Select(s => s.Id).ToList();
        var counts = await db.SegmentMemberships.AsNoTracking()
            .Where(m => ids.Contains(m.SegmentId) && m.LeftAt == null)
            .GroupBy(m => m.SegmentId)
            .Select(g => new { g.Key, Count = g.LongCount() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, cancellationToken);
        return TypedResults.Ok(new CursorPage<SegmentResponse>(
            segments.Items.Select(s => SegmentResponse.From(s, counts.GetValueOrDefault(s.Id))).ToList(), segments.NextCursor));
    }

    public static async Task<Results<Ok<SegmentResponse>, ProblemHttpResult>> GetSegment(
        Guid id, MarketingDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var segment = await db.Segments.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (segment is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, segment.Version);
        return TypedResults.Ok(SegmentResponse.From(segment, await MemberCountAsync(db, id, cancellationToken)));
    }

    public static async Task<Results<Created<SegmentResponse>, ValidationProblem>> CreateSegment(
        SegmentRequest request, MarketingDbContext db, HttpResponse response, TimeProvider clock, OutboxSignal outbox, CancellationToken cancellationToken)
    {
        var errors = request.Validate(out var rules);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var segment = new Segment { Kind = request.KindOrDefault };
        Apply(request, segment);
        db.Segments.Add(segment);
        await SaveAsync(db, segment, rules, clock, outbox, cancellationToken);
        ETags.Set(response, segment.Version);
        return TypedResults.Created($"/api/v1/segments/{segment.Id}",
            SegmentResponse.From(segment, await MemberCountAsync(db, segment.Id, cancellationToken)));
    }

    public static async Task<Results<Ok<SegmentResponse>, ValidationProblem, ProblemHttpResult>> UpdateSegment(
        Guid id, SegmentRequest request, MarketingDbContext db, HttpContext http, TimeProvider clock, OutboxSignal outbox, CancellationToken cancellationToken)
    {
        var errors = request.Validate(out var rules);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var segment = await db.Segments.SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (segment is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, segment.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (request.KindOrDefault != segment.Kind)
        {
            return ApiProblems.Unprocessable($"The segment '{id}' is {segment.Kind}; a segment's kind cannot change (create a new one).",
                new Dictionary<string, string[]> { ["kind"] = [$"kind stays {segment.Kind}."] });
        }
        Apply(request, segment);
        try
        {
            await SaveAsync(db, segment, rules, clock, outbox, cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, id);
        }
        ETags.Set(http.Response, segment.Version);
        return TypedResults.Ok(SegmentResponse.From(segment, await MemberCountAsync(db, id, cancellationToken)));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteSegment(
        Guid id, MarketingDbContext db, HttpRequest request, TimeProvider clock, OutboxSignal outbox, CancellationToken cancellationToken)
    {
        var segment = await db.Segments.SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (segment is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(request, segment.Version, out _) is { } precondition)
        {
            return precondition;
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Its members leave first (with their events), so subscribers are not left with people in a segment that is gone.
        await SegmentMembers.RecomputeAsync(db, id, rules: null, clock.GetUtcNow().UtcDateTime, cancellationToken);
        db.Segments.Remove(segment);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, id);
        }
        await transaction.CommitAsync(cancellationToken);
        outbox.Notify();
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<SegmentPreviewResponse>, ValidationProblem>> PreviewSegment(
        SegmentPreviewRequest request, MarketingDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        var rules = request.Rules is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } given
            ? SegmentRules.Parse(given, "rules", errors)
            : null;
        if (rules is null)
        {
            if (errors.IsValid)
            {
                errors.Add("rules", "rules are required.");
            }
            return TypedResults.ValidationProblem(errors);
        }
        var (count, sample) = await SegmentMembers.PreviewAsync(db, rules, clock.GetUtcNow().UtcDateTime, SampleSize, cancellationToken);
        return TypedResults.Ok(new SegmentPreviewResponse(count, sample));
    }

    public static async Task<Results<Ok<CursorPage<SegmentMemberResponse>>, ValidationProblem, ProblemHttpResult>> ListSegmentMembers(
        Guid id, MarketingDbContext db, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!PageRequest.TryParse(limit, cursor, out var page, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (!await db.Segments.AnyAsync(s => s.Id == id, cancellationToken))
        {
            return ApiProblems.NotFound(Resource, id);
        }
        var members = await db.SegmentMemberships.AsNoTracking()
            .Where(m => m.SegmentId == id && m.LeftAt == null)
            .ToCursorPageAsync(page, m => m, cancellationToken);
        var personIds = members.Items.Select(m => m.PersonId).ToList();
        var people = await db.DirectoryContacts.AsNoTracking()
            .Where(c => personIds.Contains(c.Id))
            .ToDictionaryAsync(c => c.Id, cancellationToken);
        var items = members.Items.Select(m => new SegmentMemberResponse(
            m.PersonId, people.GetValueOrDefault(m.PersonId)?.DisplayName ?? "", people.GetValueOrDefault(m.PersonId)?.Email, m.CreatedAt)).ToList();
        return TypedResults.Ok(new CursorPage<SegmentMemberResponse>(items, members.NextCursor));
    }

    public static async Task<Results<Ok<SegmentMembersAdded>, ValidationProblem, ProblemHttpResult>> AddSegmentMembers(
        Guid id, SegmentMembersRequest request, MarketingDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors()
            .When(request.PersonIds is not { Count: > 0 and <= MaxPeoplePerRequest }, "personIds", $"personIds lists 1 to {MaxPeoplePerRequest} people.");
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (await StaticSegmentAsync(db, id, cancellationToken) is { } refused)
        {
            return refused;
        }
        var people = request.PersonIds!.Distinct().ToList();
        var known = await db.DirectoryContacts.AsNoTracking()
            .Where(c => people.Contains(c.Id) && c.Kind == ContactKind.Person && !c.IsDeleted)
            .Select(c => c.Id)
            .ToListAsync(cancellationToken);
        var unknown = people.Except(known).ToList();
        if (unknown.Count > 0)
        {
            return ApiProblems.Unprocessable(
                $"Marketing knows no person with id {string.Join(", ", unknown.Select(u => $"'{u}'"))}. A person created moments ago may still be on its way from Contacts.",
                new Dictionary<string, string[]> { ["personIds"] = unknown.Select(u => $"Unknown person '{u}'.").ToArray() });
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var added = await SegmentMembers.AddAsync(db, id, people, clock.GetUtcNow().UtcDateTime, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(new SegmentMembersAdded(added));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RemoveSegmentMember(
        Guid id, Guid personId, MarketingDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await StaticSegmentAsync(db, id, cancellationToken) is { } refused)
        {
            return refused;
        }
        var membership = await db.SegmentMemberships.SingleOrDefaultAsync(m => m.SegmentId == id && m.PersonId == personId && m.LeftAt == null, cancellationToken);
        if (membership is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
                detail: $"The person '{personId}' is not a member of the segment '{id}'.");
        }
        SegmentMembers.Leave(db, membership, clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>A dynamic segment's members are whoever its rules match: only a static list takes members by hand.</summary>
    private static async Task<ProblemHttpResult?> StaticSegmentAsync(MarketingDbContext db, Guid id, CancellationToken cancellationToken)
    {
        var kind = await db.Segments.Where(s => s.Id == id).Select(s => s.Kind).SingleOrDefaultAsync(cancellationToken);
        return kind switch
        {
            null => ApiProblems.NotFound(Resource, id),
            SegmentKinds.Static => null,
            _ => ApiProblems.Conflict($"The segment '{id}' is dynamic: its members are whoever its rules match. Only a static segment takes members by hand."),
        };
    }

    private static void Apply(SegmentRequest request, Segment segment)
    {
        segment.Name = request.Name!.Trim();
        segment.Description = string.IsNullOrWhiteSpace(request.Description) ? null : request.Description.Trim();
        segment.Rules = segment.Kind == SegmentKinds.Dynamic ? request.Rules!.Value.GetRawText() : null;
    }

    /// <summary>The segment and its recomputed membership (with the events of every entry and exit) commit together.</summary>
    private static async Task SaveAsync(
        MarketingDbContext db, Segment segment, RuleNode? rules, TimeProvider clock, OutboxSignal outbox, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        if (segment.Kind == SegmentKinds.Dynamic)
        {
            await SegmentMembers.RecomputeAsync(db, segment.Id, rules, clock.GetUtcNow().UtcDateTime, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        // The recompute's events were written by SQL, which the outbox interceptor does not see.
        outbox.Notify();
    }

    private static Task<long> MemberCountAsync(MarketingDbContext db, Guid id, CancellationToken cancellationToken) =>
        db.SegmentMemberships.LongCountAsync(m => m.SegmentId == id && m.LeftAt == null, cancellationToken);
}
