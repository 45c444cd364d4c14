using CrmPlatform.Persistence.Paging;
using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.Sales.Data;
using CrmPlatform.Sales.Quotes;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrmPlatform.Sales.Activities;

/// <summary>
/// One entry of a record's timeline. The shape is the same for every source so Service (tickets) and Marketing
/// (campaign events) can add theirs: <c>kind</c> says what it is (<c>activity.call</c>, <c>task</c>…), <c>link</c> where
/// the full record is, <c>title</c> and <c>summary</c> what to show.
/// </summary>
public sealed record TimelineItem(Guid Id, string Kind, DateTime OccurredAt, string Title, string? Summary, string Link);

/// <summary>
/// A row of the timeline as the database pages it: activities and tasks projected to one shape and unioned, so paging is
/// one keyset query. <see cref="CreatedAt"/> is when the entry happened (the timeline's order), not when the row was written.
/// </summary>
public sealed class TimelineRow : IKeysetOrdered
{
    public Guid Id { get; init; }
    public DateTime CreatedAt { get; init; }
    public string Kind { get; init; } = "";
    public string Title { get; init; } = "";
    public string? Summary { get; init; }
    public Guid? ContactId { get; init; }
    public Guid? OpportunityId { get; init; }
    public TimelineSource Source { get; init; }

    public TimelineItem ToItem() => new(Id, Kind, CreatedAt, Title, Summary, Source switch
    {
        TimelineSource.Task => $"/api/v1/tasks/{Id}",
        TimelineSource.Quote => $"/api/v1/quotes/{Id}",
        TimelineSource.StageChange => $"/api/v1/opportunities/{OpportunityId}/stage-history",
        _ => $"/api/v1/activities/{Id}",
    });
}

public enum TimelineSource
{
    Activity,
    Task,
    Quote,
    StageChange,
}

/// <summary>
/// <c>GET /api/v1/timeline?personId=|organizationId=|opportunityId=|leadId=</c>: what happened with a record, newest first,
/// cursor-paged. Activities count at the time they happened; tasks at their completion, or while open at their due time;
/// on an opportunity's timeline, each sent quote revision at its latest step and each stage it entered (its creation
/// first).
/// Record scopes apply to each entry as to the activity or task itself.
/// </summary>
public static class TimelineApi
{
    private const string Newest = "-createdAt";
    private static readonly ListFields<TimelineRow> Fields = new();

    public static RouteHandlerBuilder MapTimelineApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/timeline", GetTimeline).Lists(Fields).WithTags("Timeline").RequirePermission(Permissions.Activities, Operation.Read);

    public static async Task<Results<Ok<CursorPage<TimelineItem>>, ValidationProblem>> GetTimeline(
        Guid? personId, Guid? organizationId, Guid? opportunityId, Guid? leadId, SalesDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        var named = new[] { personId, organizationId, opportunityId, leadId }.Count(id => id is not null);
        if (named != 1)
        {
            return TypedResults.ValidationProblem(new FieldErrors().Add("personId", "Name exactly one record: personId, organizationId, opportunityId or leadId."));
        }
        // Newest first unless ?sort=createdAt asks for the oldest first; the cursor remembers which.
        if (!ListQuery<TimelineRow>.TryParse(request.Query, Fields, out var list, out var errors, defaultSort: Newest))
        {
            return TypedResults.ValidationProblem(errors);
        }

        var contactId = personId ?? organizationId;
        var activities = db.Activities
            .Where(a => contactId != null ? a.ContactId == contactId : leadId != null ? a.LeadId == leadId : a.OpportunityId == opportunityId)
            .Select(a => new TimelineRow
            {
                Id = a.Id, CreatedAt = a.OccurredAt, Kind = "activity." + a.Kind, Title = a.Subject, Summary = a.Outcome,
                ContactId = a.ContactId, OpportunityId = a.OpportunityId, Source = TimelineSource.Activity,
            });
        var tasks = db.Tasks
            .Where(t => contactId != null ? t.ContactId == contactId : leadId != null ? t.LeadId == leadId : t.OpportunityId == opportunityId)
            .Select(t => new TimelineRow
            {
                Id = t.Id, CreatedAt = t.CompletedAt ?? t.DueAt, Kind = t.Status == TaskStatuses.Completed ? "task.completed" : "task", Title = t.Subject,
                Summary = t.Priority, ContactId = t.ContactId, OpportunityId = t.OpportunityId, Source = TimelineSource.Task,
            });
        var entries = activities.Concat(tasks);
        if (opportunityId is not null)
        {
            // Cheap because Sales stores them: each quote revision once, at its latest step (sent, then accepted or rejected).
            entries = entries.Concat(QuotesApi.Visible(db)
                .Where(q => q.OpportunityId == opportunityId && q.SentAt != null)
                .Select(q => new TimelineRow
                {
                    Id = q.Id, CreatedAt = q.DecidedAt ?? q.SentAt!.Value,
                    Kind = q.Status == QuoteStatus.Accepted ? "quote.accepted" : q.Status == QuoteStatus.Rejected ? "quote.rejected" : "quote.sent",
                    Title = "Quote " + q.Number + " revision " + q.Revision, Summary = null,
                    ContactId = null, OpportunityId = q.OpportunityId, Source = TimelineSource.Quote,
                }))
                // Stage changes have no owner of their own: the opportunity's record scope decides who sees them.
                .Concat(db.OpportunityStageChanges
                    .Where(c => c.OpportunityId == opportunityId && db.Opportunities.Any(o => o.Id == c.OpportunityId))
                    .Select(c => new TimelineRow
                    {
                        Id = c.Id, CreatedAt = c.CreatedAt, Kind = c.FromStage == null ? "opportunity.created" : "opportunity.stage-changed",
                        Title = c.Stage, Summary = c.FromStage, ContactId = null, OpportunityId = c.OpportunityId, Source = TimelineSource.StageChange,
                    }));
        }
        return TypedResults.Ok(await list.ToPageAsync(entries, row => row.ToItem(), cancellationToken));
    }
}
