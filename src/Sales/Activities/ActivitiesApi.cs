using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.Sales.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Activities;

public sealed record ActivityRequest(
    string? Kind, string? Subject, string? Body, DateTime? OccurredAt, int? DurationMinutes, string? Outcome, Guid? ContactId, Guid? OpportunityId, Guid? LeadId = null)
{
    /// <summary>Longest call or meeting: a day.</summary>
    public const int MaxDurationMinutes = 24 * 60;

    public FieldErrors Validate() => new FieldErrors()
        .When(Kind is null || !ActivityKinds.All.Contains(Kind), "kind", $"kind must be one of: {string.Join(", ", ActivityKinds.All)}.")
        .Required("subject", Subject, Activity.SubjectMaxLength)
        .MaxLength("body", Body, Activity.BodyMaxLength)
        .MaxLength("outcome", Outcome, Activity.OutcomeMaxLength)
        .When(OccurredAt is null, "occurredAt", "occurredAt is required.")
        .When(OccurredAt is { Kind: not DateTimeKind.Utc }, "occurredAt", "occurredAt needs a time zone (Z or an offset).")
        .When(DurationMinutes is not null && Kind is not null && !ActivityKinds.HasDuration(Kind), "durationMinutes",
            "Only calls and meetings have a duration.")
        .When(DurationMinutes is < 0 or > MaxDurationMinutes, "durationMinutes", $"durationMinutes is from 0 to {MaxDurationMinutes}.")
        .Links(ContactId, OpportunityId, LeadId);

    public void ApplyTo(Activity activity)
    {
        activity.Kind = Kind!;
        activity.Subject = Subject!.Trim();
        activity.Body = string.IsNullOrWhiteSpace(Body) ? null : Body;
        activity.OccurredAt = OccurredAt!.Value;
        activity.DurationMinutes = DurationMinutes;
        activity.Outcome = string.IsNullOrWhiteSpace(Outcome) ? null : Outcome.Trim();
        activity.ContactId = ContactId;
        activity.OpportunityId = OpportunityId;
        activity.LeadId = LeadId;
    }
}

public sealed record ActivityResponse(
    Guid Id, string Kind, string Subject, string? Body, DateTime OccurredAt, int? DurationMinutes, string? Outcome,
    Guid? ContactId, Guid? OpportunityId, Guid? LeadId, string? OwnerId,
    DateTime CreatedAt, string? CreatedBy, DateTime UpdatedAt, string? UpdatedBy, int Version)
{
    public static ActivityResponse From(Activity a) => new(
        a.Id, a.Kind, a.Subject, a.Body, a.OccurredAt, a.DurationMinutes, a.Outcome, a.ContactId, a.OpportunityId, a.LeadId, a.OwnerId,
        a.CreatedAt, a.CreatedBy, a.UpdatedAt, a.UpdatedBy, a.Version);
}

/// <summary>
/// <c>/api/v1/activities</c>: calls, meetings, logged emails and notes about a contact and/or an opportunity. The one
/// who logs an activity owns it; record scopes apply as to opportunities (others in sales get 404).
/// </summary>
public static class ActivitiesApi
{
    private const string Resource = "activity";

    public static RouteGroupBuilder MapActivitiesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/activities").WithTags("Activities");
        api.MapGet("/", ListActivities).Lists(ListFields).RequirePermission(Permissions.Activities, Operation.Read);
        api.MapGet("/{id:guid}", GetActivity).RequirePermission(Permissions.Activities, Operation.Read);
        api.MapPost("/", LogActivity).RequirePermission(Permissions.Activities, Operation.Create);
        api.MapPut("/{id:guid}", UpdateActivity).RequirePermission(Permissions.Activities, Operation.Update);
        api.MapDelete("/{id:guid}", DeleteActivity).RequirePermission(Permissions.Activities, Operation.Delete);
        return api;
    }

    private static readonly ListFields<Activity> ListFields = new ListFields<Activity>()
        .Filter("kind", a => a.Kind)
        .Filter("contactId", a => a.ContactId)
        .Filter("opportunityId", a => a.OpportunityId)
        .Filter("leadId", a => a.LeadId)
        .Filter("ownerId", a => a.OwnerId)
        .Sort("occurredAt", a => a.OccurredAt)
        .Sort("updatedAt", a => a.UpdatedAt);

    public static async Task<Results<Ok<CursorPage<ActivityResponse>>, ValidationProblem>> ListActivities(
        SalesDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        if (!ListQuery<Activity>.TryParse(request.Query, ListFields, out var list, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await list.ToPageAsync(db.Activities.AsNoTracking(), ActivityResponse.From, cancellationToken));
    }

    public static async Task<Results<Ok<ActivityResponse>, ProblemHttpResult>> GetActivity(
        Guid id, SalesDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var activity = await db.Activities.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (activity is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, activity.Version);
        return TypedResults.Ok(ActivityResponse.From(activity));
    }

    /// <summary>Logs an activity and publishes <c>ActivityLogged</c> in the same commit.</summary>
    public static async Task<Results<Created<ActivityResponse>, ValidationProblem, ProblemHttpResult>> LogActivity(
        ActivityRequest request, SalesDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (await RecordLinks.CheckAsync(db, request.ContactId, request.OpportunityId, request.LeadId, isNew: true, cancellationToken) is { } unlinkable)
        {
            return unlinkable;
        }
        var activity = new Activity();
        request.ApplyTo(activity);
        db.Activities.Add(activity);
        Scoring.LeadEngagements.Record(db, activity);
        db.Stamp();
        db.AddEvent(activity.Logged());
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsForeignKeyViolation())
        {
            // The opportunity was deleted since the check above.
            return RecordLinks.Deleted(request.OpportunityId, request.LeadId);
        }
        if (activity.LeadId is { } leadId)
        {
            await Scoring.BulkScorer.RescoreLeadAsync(db, leadId, cancellationToken);
        }
        ETags.Set(response, activity.Version);
        return TypedResults.Created($"/api/v1/activities/{activity.Id}", ActivityResponse.From(activity));
    }

    public static async Task<Results<Ok<ActivityResponse>, ValidationProblem, ProblemHttpResult>> UpdateActivity(
        Guid id, ActivityRequest request, SalesDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var activity = await db.Activities.SingleOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (activity is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, activity.Version, out _) is { } precondition)
        {
            return precondition;
        }
        var isNewContact = request.ContactId != activity.ContactId;
        if (await RecordLinks.CheckAsync(db, request.ContactId, request.OpportunityId, request.LeadId, isNewContact, cancellationToken) is { } unlinkable)
        {
            return unlinkable;
        }
        request.ApplyTo(activity);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, id);
        }
        catch (DbUpdateException ex) when (ex.IsForeignKeyViolation())
        {
            return RecordLinks.Deleted(request.OpportunityId, request.LeadId);
        }
        ETags.Set(http.Response, activity.Version);
        return TypedResults.Ok(ActivityResponse.From(activity));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteActivity(
        Guid id, SalesDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        var version = await db.Activities.Where(a => a.Id == id).Select(a => (int?)a.Version).SingleOrDefaultAsync(cancellationToken);
        if (version is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(request, version.Value, out _) is { } precondition)
        {
            return precondition;
        }
        // Deletes only the version the client saw: a change in between leaves the row, and the client re-reads.
        var deleted = await db.Activities.Where(a => a.Id == id && a.Version == version).ExecuteDeleteAsync(cancellationToken);
        return deleted == 0 ? ApiProblems.ConcurrentUpdate(Resource, id) : TypedResults.NoContent();
    }
}
