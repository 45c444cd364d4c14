using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Persistence.Inbox;
using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.Sales.Data;
using CrmPlatform.ServiceDefaults;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Merges;

/// <summary>
/// An opportunity whose customer was merged away follows the survivor; each move is remembered per merge, so undoing
/// the merge moves exactly those opportunities back (unless someone has given them another customer since).
/// Applied once per message through the inbox.
/// </summary>
public sealed class OpportunityMergeConsumer(SalesDbContext db, TenantContext tenant) : IConsumer<ContactsMerged>, IConsumer<ContactsUnmerged>
{
    public const string ConsumerName = "opportunity-merges";

    public async Task Consume(ConsumeContext<ContactsMerged> context)
    {
        var merged = context.Message;
        tenant.TenantId = merged.TenantId;
        var ids = merged.MergedIds.ToArray();
        await db.ProcessOnceAsync(context.MessageId ?? merged.EventId, ConsumerName, async () =>
        {
            var opportunities = await db.Opportunities.IgnoreQueryFilters()
                .Where(o => o.TenantId == merged.TenantId && ids.Contains(o.CustomerId)).ToListAsync(context.CancellationToken);
            foreach (var opportunity in opportunities)
            {
                db.OpportunityMergeMoves.Add(new OpportunityMergeMove
                {
                    MergeId = merged.MergeId,
                    OpportunityId = opportunity.Id,
                    FromCustomerId = opportunity.CustomerId,
                });
                opportunity.CustomerId = merged.SurvivorId;
            }
        }, context.CancellationToken);
    }

    public async Task Consume(ConsumeContext<ContactsUnmerged> context)
    {
        var unmerged = context.Message;
        tenant.TenantId = unmerged.TenantId;
        await db.ProcessOnceAsync(context.MessageId ?? unmerged.EventId, ConsumerName, async () =>
        {
            var moves = await db.OpportunityMergeMoves.Where(m => m.MergeId == unmerged.MergeId).ToListAsync(context.CancellationToken);
            var ids = moves.Select(m => m.OpportunityId).ToArray();
            var opportunities = await db.Opportunities.IgnoreQueryFilters()
                .Where(o => o.TenantId == unmerged.TenantId && ids.Contains(o.Id) && o.CustomerId == unmerged.SurvivorId)
                .ToListAsync(context.CancellationToken);
            foreach (var opportunity in opportunities)
            {
                opportunity.CustomerId = moves.Single(m => m.OpportunityId == opportunity.Id).FromCustomerId;
            }
        }, context.CancellationToken);
    }
}

/// <summary>An opportunity a merge re-pointed, and the customer it had before.</summary>
public sealed class OpportunityMergeMove : ITenantOwned
{
    public Guid TenantId { get; set; }
    public Guid MergeId { get; init; }
    public Guid OpportunityId { get; init; }
    public Guid FromCustomerId { get; init; }
}

public static class OpportunityMergeModel
{
    public static ModelBuilder AddOpportunityMergeMoves(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<OpportunityMergeMove>(move =>
        {
            move.ToTable("opportunity_merge_moves");
            move.HasKey(m => new { m.MergeId, m.OpportunityId });
        });
        return modelBuilder;
    }

    public static void AddOpportunityMergeConsumer(this IBusRegistrationConfigurator bus, string serviceName) =>
        bus.AddConsumer<OpportunityMergeConsumer>().Endpoint(endpoint => endpoint.Name = $"{serviceName}-{OpportunityMergeConsumer.ConsumerName}");
}
