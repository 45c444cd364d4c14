using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Persistence.Inbox;
using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.Sales.Data;
using CrmPlatform.ServiceDefaults;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Merges;

/// <summary>
/// What Sales holds about a contact that was merged away follows the survivor: opportunities, activities, tasks and
/// the links of converted leads. Each move is remembered per merge, so undoing the merge moves exactly those records
/// back (unless someone has linked them to another contact since). Applied once per message through the inbox.
/// </summary>
public sealed class ContactMergeConsumer(SalesDbContext db, TenantContext tenant) : IConsumer<ContactsMerged>, IConsumer<ContactsUnmerged>
{
    // The queue keeps the name it had when only opportunities moved: a new name would leave the old queue bound to
    // the exchange on installed brokers, filling up with merges nobody reads.
    public const string ConsumerName = "opportunity-merges";

    public async Task Consume(ConsumeContext<ContactsMerged> context)
    {
        var merged = context.Message;
        tenant.TenantId = merged.TenantId;
        var ids = merged.MergedIds.ToArray();
        await db.ProcessOnceAsync(context.MessageId ?? merged.EventId, ConsumerName, async () =>
        {
            foreach (var link in ContactLinks.All)
            {
                foreach (var (record, contact) in await link.FindAsync(db, merged.TenantId, ids, context.CancellationToken))
                {
                    db.ContactMergeMoves.Add(new ContactMergeMove
                    {
                        MergeId = merged.MergeId, RecordKind = link.Kind, RecordId = record.Id, FromContactId = contact,
                    });
                    link.Set(record, merged.SurvivorId);
                }
            }
        }, context.CancellationToken);
    }

    public async Task Consume(ConsumeContext<ContactsUnmerged> context)
    {
        var unmerged = context.Message;
        tenant.TenantId = unmerged.TenantId;
        await db.ProcessOnceAsync(context.MessageId ?? unmerged.EventId, ConsumerName, async () =>
        {
            var moves = await db.ContactMergeMoves.Where(m => m.MergeId == unmerged.MergeId).ToListAsync(context.CancellationToken);
            foreach (var link in ContactLinks.All)
            {
                var back = moves.Where(m => m.RecordKind == link.Kind).ToDictionary(m => m.RecordId, m => m.FromContactId);
                if (back.Count == 0)
                {
                    continue;
                }
                var stillOnSurvivor = await link.FindAsync(db, unmerged.TenantId, [unmerged.SurvivorId], context.CancellationToken);
                foreach (var (record, _) in stillOnSurvivor.Where(r => back.ContainsKey(r.Record.Id)))
                {
                    link.Set(record, back[record.Id]);
                }
            }
        }, context.CancellationToken);
    }
}

/// <summary>A record a merge re-pointed, and the contact it was linked to before.</summary>
public sealed class ContactMergeMove : ITenantOwned
{
    public Guid TenantId { get; set; }
    public Guid MergeId { get; init; }
    /// <summary>Which link moved: one of the kinds of <see cref="ContactLinks"/>.</summary>
    public string RecordKind { get; init; } = "";
    public Guid RecordId { get; init; }
    public Guid FromContactId { get; init; }
}

public static class ContactMergeModel
{
    public static ModelBuilder AddContactMergeMoves(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ContactMergeMove>(move =>
        {
            move.ToTable("contact_merge_moves");
            move.Property(m => m.RecordKind).HasMaxLength(30);
            move.HasKey(m => new { m.MergeId, m.RecordKind, m.RecordId });
        });
        return modelBuilder;
    }

    public static void AddContactMergeConsumer(this IBusRegistrationConfigurator bus, string serviceName) =>
        bus.AddConsumer<ContactMergeConsumer>().Endpoint(endpoint => endpoint.Name = $"{serviceName}-{ContactMergeConsumer.ConsumerName}");
}
