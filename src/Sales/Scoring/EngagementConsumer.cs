using CrmPlatform.Contracts.Marketing.V1;
using CrmPlatform.Persistence.Inbox;
using CrmPlatform.Sales.Data;
using CrmPlatform.ServiceDefaults;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Scoring;

/// <summary>
/// Counts Marketing's campaign events as engagement of the leads they concern: the tenant's leads with that email
/// address (leads keep theirs lower-cased) or converted into that person. Applied once per message through the inbox; the leads'
/// scores are recomputed in the same transaction.
/// </summary>
public sealed class EngagementConsumer(SalesDbContext db, TenantContext tenant) : IConsumer<CampaignEmailOpened>, IConsumer<CampaignLinkClicked>
{
    public const string ConsumerName = "lead-engagement";

    public Task Consume(ConsumeContext<CampaignEmailOpened> context) =>
        RecordAsync(context, context.Message.EventId, context.Message.TenantId, context.Message.Email, context.Message.PersonId,
            EngagementKinds.EmailOpened, context.Message.OpenedAt);

    public Task Consume(ConsumeContext<CampaignLinkClicked> context) =>
        RecordAsync(context, context.Message.EventId, context.Message.TenantId, context.Message.Email, context.Message.PersonId,
            EngagementKinds.LinkClicked, context.Message.ClickedAt);

    private async Task RecordAsync(ConsumeContext context, Guid eventId, Guid tenantId, string? email, Guid? personId, string kind, DateTime occurredAt)
    {
        tenant.TenantId = tenantId;
        var address = email?.Trim().ToLowerInvariant();
        await db.ProcessOnceAsync(context.MessageId ?? eventId, ConsumerName, async () =>
        {
            var leads = await db.Leads.IgnoreQueryFilters()
                .Where(l => l.TenantId == tenantId
                    && ((address != null && l.Email == address) || (personId != null && l.ConvertedPersonId == personId)))
                .Select(l => l.Id).ToListAsync(context.CancellationToken);
            foreach (var lead in leads)
            {
                db.LeadEngagements.Add(new LeadEngagement { LeadId = lead, Kind = kind, OccurredAt = occurredAt.ToUniversalTime(), SourceId = eventId });
            }
            await db.SaveChangesAsync(context.CancellationToken);
            foreach (var lead in leads)
            {
                await BulkScorer.RescoreLeadAsync(db, lead, context.CancellationToken);
            }
        }, context.CancellationToken);
    }
}

public static class EngagementConsumerRegistration
{
    public static void AddEngagementConsumer(this IBusRegistrationConfigurator bus, string serviceName) =>
        bus.AddConsumer<EngagementConsumer>().Endpoint(endpoint => endpoint.Name = $"{serviceName}-{EngagementConsumer.ConsumerName}");
}
