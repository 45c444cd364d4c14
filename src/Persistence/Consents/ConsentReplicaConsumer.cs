using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Persistence.Replicas;
using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.ServiceDefaults;
using MassTransit;

namespace CrmPlatform.Persistence.Consents;

/// <summary>Keeps a service's consent replica in step with Contacts: each change applied once, older versions ignored.</summary>
public sealed class ConsentReplicaConsumer<TDbContext>(TDbContext db, TenantContext tenant, TimeProvider clock) : IConsumer<ConsentChanged>
    where TDbContext : TenantDbContext, IConsentReplicaDbContext
{
    public const string ConsumerName = "consents";

    public Task Consume(ConsumeContext<ConsentChanged> context)
    {
        var changed = context.Message;
        return Replica.ApplyAsync(db, tenant, clock, context, ConsumerName,
            id => new ConsentReplica { Id = id, PersonId = changed.PersonId, Purpose = changed.Purpose, Channel = changed.Channel },
            consent =>
            {
                // A merge (or its undo) moves a consent to another person.
                consent.PersonId = changed.PersonId;
                consent.Status = changed.Status;
                consent.ValidFrom = changed.ValidFrom;
                consent.ValidUntil = changed.ValidUntil;
                consent.ChangedAt = changed.OccurredAt;
            });
    }
}
