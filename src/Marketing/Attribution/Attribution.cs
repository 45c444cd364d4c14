using CrmPlatform.Contracts;
using CrmPlatform.Contracts.Marketing.V1;
using CrmPlatform.Contracts.Sales.V1;
using CrmPlatform.Marketing.Data;
using CrmPlatform.Marketing.Journeys;
using CrmPlatform.Persistence.ContactDirectory;
using CrmPlatform.Persistence.Gdpr;
using CrmPlatform.Persistence.Inbox;
using CrmPlatform.ServiceDefaults;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Marketing.Attribution;

/// <summary>Recording touchpoints and crediting wins to them.</summary>
public static class Attributions
{
    public static int LookbackDays(IConfiguration configuration) => configuration.GetValue<int?>("Marketing:Attribution:LookbackDays") ?? 90;

    /// <summary>
    /// Records every recipient a finished campaign reached as a campaign-membership touchpoint (at the time their message
    /// went), in one statement in the caller's transaction; skipped people received nothing and are not touched. The
    /// recipient row is the source, so finishing twice records nothing new. A journey's campaign never finishes, so its
    /// recipients are recorded one by one as each is sent (<see cref="MarkJourneyEmailSentAsync"/>): a journey email
    /// counts as a touch like a campaign's.
    /// </summary>
    public static Task<int> RecordCampaignMembershipsAsync(MarketingDbContext db, Guid campaignId, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"""
            INSERT INTO attribution_touchpoints (id, tenant_id, person_id, email, campaign_id, channel, kind, occurred_at, source_event_id)
            SELECT gen_random_uuid(), r.tenant_id, r.person_id, lower(r.email), r.campaign_id, 'email', {TouchpointKinds.CampaignMembership}, r.sent_at, r.id
            FROM campaign_recipients r WHERE r.campaign_id = {campaignId} AND r.status = 'sent' AND r.sent_at IS NOT NULL
            ON CONFLICT (tenant_id, source_event_id) DO NOTHING
            """, cancellationToken);

    /// <summary>
    /// Marks a journey email's recipient sent (as the sender marks any recipient) and records its campaign-membership
    /// touchpoint (as <see cref="RecordCampaignMembershipsAsync"/> does for a finished campaign), in one statement: the
    /// sent mark and the touchpoint commit together or not at all. As two writes, a crash between them left the
    /// recipient sent and never touched (a sent row is never claimed again, and a journey campaign never finishes, so
    /// nothing would record it later): the revenue of that email silently lost. One statement costs the same round
    /// trip as the mark alone and needs no transaction around the sender's connection.
    /// </summary>
    public static Task<int> MarkJourneyEmailSentAsync(MarketingDbContext db, Guid recipientId, DateTime sentAt) =>
        db.Database.ExecuteSqlAsync($"""
            WITH sent AS (
                UPDATE campaign_recipients SET status = 'sent', sent_at = {sentAt}, error = NULL, claimed_until = NULL
                WHERE id = {recipientId}
                RETURNING id, tenant_id, person_id, email, campaign_id, sent_at)
            INSERT INTO attribution_touchpoints (id, tenant_id, person_id, email, campaign_id, channel, kind, occurred_at, source_event_id)
            SELECT gen_random_uuid(), s.tenant_id, s.person_id, lower(s.email), s.campaign_id, 'email', {TouchpointKinds.CampaignMembership}, s.sent_at, s.id
            FROM sent s
            ON CONFLICT (tenant_id, source_event_id) DO NOTHING
            """, CancellationToken.None);

    /// <summary>Adds a touchpoint unless one was recorded from the same source; the caller saves.</summary>
    public static async Task<bool> RecordAsync(
        MarketingDbContext db, Guid? personId, string? email, Guid? campaignId, string channel, string kind, DateTime occurredAt, Guid sourceId,
        CancellationToken cancellationToken)
    {
        var address = string.IsNullOrWhiteSpace(email) ? null : email.Trim().ToLowerInvariant();
        if (personId is null && address is null
            || await db.Touchpoints.AnyAsync(t => t.SourceEventId == sourceId, cancellationToken)
            || db.Touchpoints.Local.Any(t => t.SourceEventId == sourceId))
        {
            return false;
        }
        db.Touchpoints.Add(new Touchpoint
        {
            PersonId = personId, Email = address, CampaignId = campaignId, Channel = channel, Kind = kind,
            OccurredAt = DateTime.SpecifyKind(occurredAt, DateTimeKind.Utc), SourceEventId = sourceId,
        });
        return true;
    }

    /// <summary>
    /// Credits a won opportunity to the touchpoints of its people (the customer, or an organization's people) in the
    /// lookback window before the win, under each model. A repeated win of the same version changes nothing; a newer
    /// one (won again after reopening) replaces the credits. The caller saves.
    /// </summary>
    public static async Task<int> CreditAsync(
        MarketingDbContext db, Guid opportunityId, int version, OpportunitySnapshot opportunity, DateTime wonAt, int lookbackDays, CancellationToken cancellationToken)
    {
        var existing = await db.AttributionCredits.Where(c => c.OpportunityId == opportunityId).ToListAsync(cancellationToken);
        if (existing.Any(c => c.OpportunityVersion >= version))
        {
            return 0;
        }
        db.AttributionCredits.RemoveRange(existing);
        var amount = decimal.Round(opportunity.Amount, 2, MidpointRounding.AwayFromZero);
        if (amount <= 0)
        {
            return 0;
        }
        var people = await JourneyTriggerConsumer.PeopleOfAsync(db, opportunity.CustomerId, cancellationToken);
        var emails = await db.DirectoryContacts.AsNoTracking().Where(c => people.Contains(c.Id) && c.Email != null)
            .Select(c => c.Email!.ToLower()).ToListAsync(cancellationToken);
        var since = wonAt.AddDays(-lookbackDays);
        var touchpoints = await db.Touchpoints.AsNoTracking()
            .Where(t => (t.PersonId != null && people.Contains(t.PersonId.Value) || t.Email != null && emails.Contains(t.Email))
                && t.OccurredAt >= since && t.OccurredAt <= wonAt)
            .OrderBy(t => t.OccurredAt).ThenBy(t => t.Id)
            .ToListAsync(cancellationToken);
        if (touchpoints.Count == 0)
        {
            return 0;
        }
        var credits = new List<AttributionCredit>();
        void Credit(string model, Touchpoint touchpoint, decimal share) => credits.Add(new AttributionCredit
        {
            OpportunityId = opportunityId, OpportunityVersion = version, Model = model, TouchpointId = touchpoint.Id,
            CampaignId = touchpoint.CampaignId, Channel = touchpoint.Channel, Currency = opportunity.Currency, Amount = share, WonAt = wonAt,
        });
        Credit(AttributionModels.FirstTouch, touchpoints[0], amount);
        Credit(AttributionModels.LastTouch, touchpoints[^1], amount);
        var shares = Split(amount, touchpoints.Count);
        for (var i = 0; i < touchpoints.Count; i++)
        {
            Credit(AttributionModels.Linear, touchpoints[i], shares[i]);
        }
        db.AttributionCredits.AddRange(credits);
        return credits.Count;
    }

    /// <summary>
    /// Splits an amount (in hundredths) into <paramref name="parts"/> shares that sum to it exactly: each gets the
    /// amount divided and rounded down to the cent, and the cents left over go one each to the earliest touchpoints
    /// (100.00 in three: 33.34, 33.33, 33.33).
    /// </summary>
    public static decimal[] Split(decimal amount, int parts)
    {
        var cents = decimal.ToInt64(amount * 100);
        var share = cents / parts;
        var left = cents - share * parts;
        return Enumerable.Range(0, parts).Select(i => (share + (i < left ? 1 : 0)) / 100m).ToArray();
    }
}

/// <summary>
/// Touchpoints from campaign clicks and form submissions (with their campaign), and the credits of won opportunities,
/// once per message (the inbox; touchpoints also by their source event).
/// </summary>
public sealed class AttributionConsumer(MarketingDbContext db, TenantContext tenant, IConfiguration configuration) :
    IConsumer<CampaignLinkClicked>, IConsumer<FormSubmitted>, IConsumer<OpportunityWon>
{
    public const string ConsumerName = "attribution";

    public Task Consume(ConsumeContext<CampaignLinkClicked> context) => Once(context, () =>
        Attributions.RecordAsync(db, context.Message.PersonId, context.Message.Email, context.Message.CampaignId, "email", TouchpointKinds.Click,
            context.Message.ClickedAt, context.Message.EventId, context.CancellationToken));

    public Task Consume(ConsumeContext<FormSubmitted> context) => Once(context, () =>
        Attributions.RecordAsync(db, null, context.Message.Submission.Email, context.Message.CampaignId, "web-form", TouchpointKinds.Form,
            context.Message.OccurredAt, context.Message.EventId, context.CancellationToken));

    public Task Consume(ConsumeContext<OpportunityWon> context) => Once(context, () =>
        Attributions.CreditAsync(db, context.Message.AggregateId, context.Message.Version, context.Message.Opportunity,
            DateTime.SpecifyKind(context.Message.ClosedAt, DateTimeKind.Utc), Attributions.LookbackDays(configuration), context.CancellationToken));

    private async Task Once<TEvent, TResult>(ConsumeContext<TEvent> context, Func<Task<TResult>> apply) where TEvent : class, IIntegrationEvent
    {
        tenant.TenantId = context.Message.TenantId;
        tenant.ActorId = null;
        await db.ProcessOnceAsync(context.MessageId ?? context.Message.EventId, ConsumerName, () => apply(), context.CancellationToken);
    }

    public static void Register(IHostApplicationBuilder builder, IBusRegistrationConfigurator bus)
    {
        builder.Services.AddPersonalDataPart<MarketingDbContext, TouchpointsPart>();
        bus.AddConsumer<AttributionConsumer>().Endpoint(endpoint => endpoint.Name = $"{Extensions.ServiceName}-{ConsumerName}");
    }
}

/// <summary>
/// The person's touchpoints (by id or by the address the contact directory has for them). Erasure removes who they
/// were (person and address) and keeps the touch's campaign, channel and time, which the revenue reports count.
/// </summary>
public sealed class TouchpointsPart : IPersonalDataPart<MarketingDbContext>
{
    public string Name => "touchpoints";

    private static async Task<IQueryable<Touchpoint>> OfAsync(MarketingDbContext db, Guid personId, CancellationToken cancellationToken)
    {
        var email = await db.DirectoryContacts.AsNoTracking().Where(c => c.Id == personId && c.Kind == ContactKind.Person)
            .Select(c => c.Email).SingleOrDefaultAsync(cancellationToken);
        var address = email?.Trim().ToLowerInvariant();
        return db.Touchpoints.Where(t => t.PersonId == personId || address != null && t.Email == address);
    }

    public async Task<object?> CollectAsync(MarketingDbContext db, Guid personId, CancellationToken cancellationToken)
    {
        var touchpoints = await (await OfAsync(db, personId, cancellationToken)).AsNoTracking().OrderBy(t => t.OccurredAt)
            .Select(t => new { t.Id, t.Kind, t.Channel, t.CampaignId, t.Email, t.OccurredAt }).ToListAsync(cancellationToken);
        return touchpoints.Count == 0 ? null : touchpoints;
    }

    public async Task<int> EraseAsync(MarketingDbContext db, Guid personId, DateTime now, CancellationToken cancellationToken)
    {
        var touchpoints = await (await OfAsync(db, personId, cancellationToken)).ToListAsync(cancellationToken);
        foreach (var touchpoint in touchpoints)
        {
            touchpoint.PersonId = null;
            touchpoint.Email = null;
        }
        return touchpoints.Count;
    }
}
