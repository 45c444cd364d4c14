using CrmPlatform.Contracts;
using CrmPlatform.Contracts.Marketing.V1;
using CrmPlatform.Contracts.Sales.V1;
using CrmPlatform.Contracts.Service.V1;
using CrmPlatform.Marketing.Data;
using CrmPlatform.Persistence.ContactDirectory;
using CrmPlatform.Persistence.Inbox;
using CrmPlatform.ServiceDefaults;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace CrmPlatform.Marketing.Segments;

/// <summary>A contact's replica changed (in the directory consumer's transaction): their dynamic segments follow.</summary>
public sealed class SegmentDirectoryObserver(MarketingDbContext db, TimeProvider clock) : IContactDirectoryObserver
{
    public async Task ContactChangedAsync(DirectoryContact contact, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await SegmentMembers.ReevaluateAsync(db, contact.Id, now, cancellationToken);
        if (contact.IsDeleted && contact.Kind == ContactKind.Person)
        {
            // A deleted person leaves static lists too: nobody may be reached through a list after Contacts let them go.
            // The query answers the dynamic memberships the re-evaluation has just closed too (tracked, not saved yet):
            // those left already and must not leave twice.
            var current = await db.SegmentMemberships.Where(m => m.PersonId == contact.Id && m.LeftAt == null).ToListAsync(cancellationToken);
            foreach (var membership in current.Where(m => m.LeftAt is null))
            {
                SegmentMembers.Leave(db, membership, now);
            }
        }
    }
}

/// <summary>
/// Keeps <see cref="ContactBehaviour"/> from other services' events and re-evaluates the contact's dynamic segments in
/// the same transaction, once per message (the inbox): opportunities and tickets open or closed, Sales activities,
/// campaign opens and clicks, form submissions.
/// </summary>
public sealed class SegmentBehaviourConsumer(MarketingDbContext db, TenantContext tenant, TimeProvider clock) :
    IConsumer<OpportunityCreated>, IConsumer<OpportunityStageChanged>, IConsumer<OpportunityWon>, IConsumer<OpportunityLost>,
    IConsumer<TicketCreated>, IConsumer<TicketUpdated>, IConsumer<TicketSolved>, IConsumer<TicketClosed>,
    IConsumer<ActivityLogged>, IConsumer<CampaignEmailOpened>, IConsumer<CampaignLinkClicked>, IConsumer<FormSubmitted>
{
    public const string ConsumerName = "segment-behaviour";

    public Task Consume(ConsumeContext<OpportunityCreated> context) => Opportunity(context, context.Message.Opportunity, open: true);
    public Task Consume(ConsumeContext<OpportunityStageChanged> context) => Opportunity(context, context.Message.Opportunity, open: true);
    public Task Consume(ConsumeContext<OpportunityWon> context) => Opportunity(context, context.Message.Opportunity, open: false);
    public Task Consume(ConsumeContext<OpportunityLost> context) => Opportunity(context, context.Message.Opportunity, open: false);

    public Task Consume(ConsumeContext<TicketCreated> context) => Ticket(context, context.Message.Ticket, activity: true);
    public Task Consume(ConsumeContext<TicketUpdated> context) => Ticket(context, context.Message.Ticket, activity: false);
    public Task Consume(ConsumeContext<TicketSolved> context) => Ticket(context, context.Message.Ticket, activity: false);
    public Task Consume(ConsumeContext<TicketClosed> context) => Ticket(context, context.Message.Ticket, activity: false);

    public Task Consume(ConsumeContext<ActivityLogged> context) =>
        context.Message.ContactId is { } contactId
            ? Apply(context, () => Task.FromResult<Guid?>(contactId), BehaviourKinds.Activity, Guid.Empty, context.Message.ActivityOccurredAt)
            : Task.CompletedTask;

    public Task Consume(ConsumeContext<CampaignEmailOpened> context) =>
        Apply(context, () => Person(context.Message.PersonId, context.Message.Email), BehaviourKinds.OpenedCampaign, context.Message.CampaignId, context.Message.OpenedAt);

    public Task Consume(ConsumeContext<CampaignLinkClicked> context) =>
        Apply(context, () => Person(context.Message.PersonId, context.Message.Email), BehaviourKinds.ClickedCampaign, context.Message.CampaignId, context.Message.ClickedAt);

    public Task Consume(ConsumeContext<FormSubmitted> context) =>
        Apply(context, () => Person(null, context.Message.Submission.Email), BehaviourKinds.SubmittedForm, context.Message.FormId, context.Message.OccurredAt);

    // A close and the stage change beside it carry the same version: the close wins the tie.
    private Task Opportunity<TEvent>(ConsumeContext<TEvent> context, OpportunitySnapshot opportunity, bool open) where TEvent : class, IIntegrationEvent =>
        Apply(context, () => Task.FromResult<Guid?>(opportunity.CustomerId), BehaviourKinds.OpenOpportunity, context.Message.AggregateId,
            context.Message.OccurredAt, (open, context.Message.Version));

    private Task Ticket<TEvent>(ConsumeContext<TEvent> context, TicketSnapshot ticket, bool activity) where TEvent : class, IIntegrationEvent
    {
        if (ticket.RequesterId is not { } requester)
        {
            return Task.CompletedTask;
        }
        var open = ticket.Status is not ("solved" or "closed");
        return Apply(context, () => Task.FromResult<Guid?>(requester), BehaviourKinds.OpenTicket, context.Message.AggregateId,
            context.Message.OccurredAt, (open, context.Message.Version), alsoActivity: activity);
    }

    /// <summary>A campaign's recipient or a form's sender: the person id when the event has one, else the person with the address.</summary>
    private async Task<Guid?> Person(Guid? personId, string? email)
    {
        if (personId is not null || string.IsNullOrWhiteSpace(email))
        {
            return personId;
        }
        var address = email.Trim().ToLowerInvariant();
        return await db.DirectoryContacts.AsNoTracking()
            .Where(c => c.Kind == ContactKind.Person && !c.IsDeleted && c.Email == address)
            .OrderBy(c => c.Id)
            .Select(c => (Guid?)c.Id)
            .FirstOrDefaultAsync();
    }

    private async Task Apply<TEvent>(
        ConsumeContext<TEvent> context, Func<Task<Guid?>> contact, string kind, Guid refId, DateTime occurredAt,
        (bool Open, int Version)? state = null, bool alsoActivity = false)
        where TEvent : class, IIntegrationEvent
    {
        tenant.TenantId = context.Message.TenantId;
        await db.ProcessOnceAsync(context.MessageId ?? context.Message.EventId, ConsumerName, async () =>
        {
            if (await contact() is not { } contactId)
            {
                return;
            }
            await RecordAsync(contactId, kind, refId, occurredAt, state, context.CancellationToken);
            if (alsoActivity)
            {
                await RecordAsync(contactId, BehaviourKinds.Activity, Guid.Empty, occurredAt, null, context.CancellationToken);
            }
            await SegmentMembers.ReevaluateAsync(db, contactId, clock.GetUtcNow().UtcDateTime, context.CancellationToken);
        }, context.CancellationToken);
    }

    /// <summary>
    /// One upsert: an event keeps the latest time; a state (open or closed) changes only for a newer version, so a late
    /// or repeated event cannot reopen what closed.
    /// </summary>
    private const string Insert =
        "INSERT INTO contact_behaviours (tenant_id, contact_id, kind, ref_id, occurred_at, active, version) "
        + "VALUES (@tenant, @contact, @kind, @ref, @at, @active, @version) ON CONFLICT (tenant_id, contact_id, kind, ref_id) DO UPDATE SET ";

    private const string RecordEvent = Insert + "occurred_at = GREATEST(contact_behaviours.occurred_at, excluded.occurred_at)";

    private const string RecordState = Insert + "occurred_at = excluded.occurred_at, active = excluded.active, version = excluded.version "
        + "WHERE excluded.version > contact_behaviours.version OR (excluded.version = contact_behaviours.version AND NOT excluded.active)";

    private Task<int> RecordAsync(Guid contactId, string kind, Guid refId, DateTime occurredAt, (bool Open, int Version)? state, CancellationToken cancellationToken)
    {
        return db.Database.ExecuteSqlRawAsync(state is null ? RecordEvent : RecordState,
            [
                new NpgsqlParameter("tenant", NpgsqlDbType.Uuid) { Value = db.CurrentTenantId },
                new NpgsqlParameter("contact", NpgsqlDbType.Uuid) { Value = contactId },
                new NpgsqlParameter("kind", NpgsqlDbType.Varchar) { Value = kind },
                new NpgsqlParameter("ref", NpgsqlDbType.Uuid) { Value = refId },
                new NpgsqlParameter("at", NpgsqlDbType.TimestampTz) { Value = DateTime.SpecifyKind(occurredAt, DateTimeKind.Utc) },
                new NpgsqlParameter("active", NpgsqlDbType.Boolean) { Value = state?.Open ?? true },
                new NpgsqlParameter("version", NpgsqlDbType.Integer) { Value = state?.Version ?? 0 },
            ],
            cancellationToken);
    }
}

public static class SegmentRegistration
{
    /// <summary>Segments' part of Marketing: the directory observer and the behaviour consumer on a queue of its own.</summary>
    public static void AddSegments(this IHostApplicationBuilder builder, IBusRegistrationConfigurator bus)
    {
        builder.Services.AddScoped<IContactDirectoryObserver, SegmentDirectoryObserver>();
        bus.AddConsumer<SegmentBehaviourConsumer>().Endpoint(endpoint => endpoint.Name = $"{Extensions.ServiceName}-{SegmentBehaviourConsumer.ConsumerName}");
    }
}
