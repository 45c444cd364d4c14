using System.Text.Json;
using CrmPlatform.Contracts;
using CrmPlatform.Contracts.Marketing.V1;
using CrmPlatform.Contracts.Sales.V1;
using CrmPlatform.Contracts.Service.V1;
using CrmPlatform.Marketing.Data;
using CrmPlatform.Persistence;
using CrmPlatform.Persistence.ContactDirectory;
using CrmPlatform.Persistence.Inbox;
using CrmPlatform.ServiceDefaults;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Marketing.Journeys;

/// <summary>
/// Enrols people in the tenant's active journeys whose trigger an event matches, once per message (the inbox): a
/// segment entry, a form submission (the person with the submitted address, when Marketing's copy of the contacts has
/// them), a won opportunity (its customer, or an organization's people), a solved ticket (its requester).
/// </summary>
public sealed class JourneyTriggerConsumer(MarketingDbContext db, TenantContext tenant, TimeProvider clock, JourneySignal signal) :
    IConsumer<SegmentMembershipChanged>, IConsumer<FormSubmitted>, IConsumer<OpportunityWon>, IConsumer<TicketSolved>
{
    public const string ConsumerName = "journey-triggers";

    public Task Consume(ConsumeContext<SegmentMembershipChanged> context) =>
        context.Message.Change == SegmentMembershipChanges.Entered
            ? EnrolAsync(context, TriggerKinds.SegmentEntry, context.Message.SegmentId, null, () => Task.FromResult<IReadOnlyList<Guid>>([context.Message.PersonId]))
            : Task.CompletedTask;

    public Task Consume(ConsumeContext<FormSubmitted> context) =>
        EnrolAsync(context, TriggerKinds.FormSubmission, context.Message.FormId, null, async () =>
        {
            var email = context.Message.Submission.Email?.Trim().ToLowerInvariant();
            return email is null ? [] : await db.DirectoryContacts.AsNoTracking()
                .Where(c => c.Kind == ContactKind.Person && !c.IsDeleted && c.Email == email)
                .OrderBy(c => c.Id).Select(c => c.Id).Take(1).ToListAsync(context.CancellationToken);
        });

    public Task Consume(ConsumeContext<OpportunityWon> context) =>
        EnrolAsync(context, TriggerKinds.Event, null, nameof(OpportunityWon), () => PeopleOfAsync(db, context.Message.Opportunity.CustomerId, context.CancellationToken));

    public Task Consume(ConsumeContext<TicketSolved> context) =>
        EnrolAsync(context, TriggerKinds.Event, null, nameof(TicketSolved), async () =>
            context.Message.Ticket.RequesterId is { } requester ? await PeopleOfAsync(db, requester, context.CancellationToken) : []);

    /// <summary>A person, or an organization's people, as Marketing's copy of the contacts has them.</summary>
    public static async Task<IReadOnlyList<Guid>> PeopleOfAsync(MarketingDbContext db, Guid contactId, CancellationToken cancellationToken) =>
        await db.DirectoryContacts.AsNoTracking()
            .Where(c => c.Kind == ContactKind.Person && !c.IsDeleted && (c.Id == contactId || c.OrganizationId == contactId))
            .OrderBy(c => c.Id).Select(c => c.Id).ToListAsync(cancellationToken);

    private async Task EnrolAsync<TEvent>(ConsumeContext<TEvent> context, string kind, Guid? refId, string? eventName, Func<Task<IReadOnlyList<Guid>>> people)
        where TEvent : class, IIntegrationEvent
    {
        tenant.TenantId = context.Message.TenantId;
        tenant.ActorId = null;
        var messageId = context.MessageId ?? context.Message.EventId;
        var enrolled = 0;
        await db.ProcessOnceAsync(messageId, ConsumerName, async () =>
        {
            var journeys = await db.Journeys.AsNoTracking()
                .Where(j => j.Status == JourneyStatuses.Active && j.TriggerKind == kind && j.TriggerRefId == refId && j.TriggerEvent == eventName)
                .ToListAsync(context.CancellationToken);
            if (journeys.Count == 0)
            {
                return;
            }
            var now = clock.GetUtcNow().UtcDateTime;
            foreach (var person in await people())
            {
                foreach (var journey in journeys)
                {
                    if (await JourneyEnrolments.EnrolAsync(db, journey, person, messageId, now, context.CancellationToken))
                    {
                        enrolled++;
                    }
                }
            }
        }, context.CancellationToken);
        if (enrolled > 0)
        {
            signal.Notify();
        }
    }
}

public static class JourneyEnrolments
{
    /// <summary>
    /// Enrols the person at the journey's start, due now, unless they are inside already or the re-entry rule keeps
    /// them out. Serialized per journey and person (an advisory lock) so two triggers at once enrol once. The caller saves.
    /// </summary>
    public static async Task<bool> EnrolAsync(MarketingDbContext db, Journey journey, Guid personId, Guid triggerEventId, DateTime now, CancellationToken cancellationToken)
    {
        await db.LockForTransactionAsync("journey:" + journey.Id + ":" + personId, cancellationToken);
        var last = await db.JourneyEnrolments.AsNoTracking()
            .Where(e => e.JourneyId == journey.Id && e.PersonId == personId)
            .OrderByDescending(e => e.CreatedAt).FirstOrDefaultAsync(cancellationToken);
        using var document = JsonDocument.Parse(journey.Definition);
        if (last is not null)
        {
            var reentry = ReentryOf(document.RootElement);
            var allowed = last.Status != EnrolmentStatuses.Active && reentry.Mode switch
            {
                ReentryModes.Always => true,
                ReentryModes.After => last.CreatedAt.AddDays(reentry.Days) <= now,
                _ => false,
            };
            if (!allowed)
            {
                return false;
            }
        }
        var start = JourneyDefinition.Text(document.RootElement, "start");
        db.JourneyEnrolments.Add(new JourneyEnrolment
        {
            Id = DerivedIds.From(triggerEventId, journey.Id, personId),
            JourneyId = journey.Id,
            JourneyVersion = journey.DefinitionVersion,
            PersonId = personId,
            CurrentStep = start,
            DueAt = now,
            CreatedAt = now,
            TriggerEventId = triggerEventId,
        });
        return true;
    }

    /// <summary>The re-entry rule of a saved (validated) definition.</summary>
    private static JourneyReentry ReentryOf(JsonElement definition) =>
        definition.TryGetProperty("reentry", out var reentry) && reentry.ValueKind == JsonValueKind.Object
            ? new JourneyReentry(JourneyDefinition.Text(reentry, "mode") ?? ReentryModes.Never,
                reentry.TryGetProperty("days", out var days) && days.TryGetInt32(out var n) ? n : 0)
            : new JourneyReentry(ReentryModes.Never, 0);
}
