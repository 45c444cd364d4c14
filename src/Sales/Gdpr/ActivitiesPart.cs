using CrmPlatform.Persistence.Gdpr;
using CrmPlatform.Sales.Activities;
using CrmPlatform.Sales.Data;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Gdpr;

/// <summary>
/// The activities and tasks about the person (linked to them as contact). Erasure removes what was written about them
/// (subjects, bodies, outcomes, notes) and keeps that something happened and when, as with quotes.
/// </summary>
public sealed class ActivitiesPart : IPersonalDataPart<SalesDbContext>
{
    public string Name => "activities";

    public async Task<object?> CollectAsync(SalesDbContext db, Guid personId, CancellationToken cancellationToken)
    {
        var activities = await db.Activities.AsNoTracking().Where(a => a.ContactId == personId).OrderBy(a => a.OccurredAt)
            .Select(a => new { a.Id, a.Kind, a.Subject, a.Body, a.OccurredAt, a.DurationMinutes, a.Outcome, a.OpportunityId, a.CreatedAt, a.UpdatedAt })
            .ToListAsync(cancellationToken);
        var tasks = await db.Tasks.AsNoTracking().Where(t => t.ContactId == personId).OrderBy(t => t.DueAt)
            .Select(t => new { t.Id, t.Subject, t.Notes, t.DueAt, t.Priority, t.Status, t.CompletedAt, t.OpportunityId, t.CreatedAt, t.UpdatedAt })
            .ToListAsync(cancellationToken);
        return activities.Count == 0 && tasks.Count == 0 ? null : new { Activities = activities, Tasks = tasks };
    }

    public async Task<IReadOnlyCollection<Guid>> AuditedIdsAsync(SalesDbContext db, Guid personId, CancellationToken cancellationToken) =>
        [
            .. await db.Activities.Where(a => a.ContactId == personId).Select(a => a.Id).ToListAsync(cancellationToken),
            .. await db.Tasks.Where(t => t.ContactId == personId).Select(t => t.Id).ToListAsync(cancellationToken),
        ];

    public async Task<int> EraseAsync(SalesDbContext db, Guid personId, DateTime now, CancellationToken cancellationToken)
    {
        var activities = await db.Activities.Where(a => a.ContactId == personId).ToListAsync(cancellationToken);
        activities.ForEach(activity => activity.EraseFreeText());
        var tasks = await db.Tasks.Where(t => t.ContactId == personId).ToListAsync(cancellationToken);
        tasks.ForEach(task => task.EraseFreeText());
        return activities.Count + tasks.Count;
    }
}
