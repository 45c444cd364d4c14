using CrmPlatform.Persistence.Replicas;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Persistence.Consents;

/// <summary>
/// A subscriber's copy of one consent (person × purpose × channel) owned by Contacts, kept from
/// <c>ConsentChanged</c> so the service can decide whether it may contact someone without calling Contacts. A missing
/// row means no consent.
/// </summary>
public sealed class ConsentReplica : ReplicaRow, IConsentState
{
    public Guid PersonId { get; set; }
    public string Purpose { get; set; } = "";
    public string Channel { get; set; } = "";
    public string Status { get; set; } = "";
    public DateTime? ValidFrom { get; set; }
    public DateTime? ValidUntil { get; set; }
    public DateTime ChangedAt { get; set; }
}

/// <summary>A DbContext that keeps a consent replica.</summary>
public interface IConsentReplicaDbContext
{
    DbSet<ConsentReplica> ConsentReplicas { get; }
}

public static class ConsentReplicaModel
{
    public static ModelBuilder AddConsentReplica(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ConsentReplica>(consent =>
        {
            consent.ToTable("consent_replicas");
            consent.HasKey(c => c.Id);
            consent.Property(c => c.Id).ValueGeneratedNever();
            consent.Property(c => c.Purpose).HasMaxLength(50);
            consent.Property(c => c.Channel).HasMaxLength(20);
            consent.Property(c => c.Status).HasMaxLength(20);
            consent.Property(c => c.Version).IsConcurrencyToken();
            // How the rule looks a consent up; Contacts keeps one consent per person, purpose and channel.
            consent.HasIndex(c => new { c.TenantId, c.PersonId, c.Purpose, c.Channel }).IsUnique();
        });
        return modelBuilder;
    }

    /// <summary>Whether the service may contact the person for the purpose on the channel, by its replica.</summary>
    public static async Task<ContactDecision> DecideContactAsync(
        this IConsentReplicaDbContext db, Guid personId, string purpose, string channel, DateTime now, CancellationToken cancellationToken)
    {
        var consent = await db.ConsentReplicas.AsNoTracking()
            .SingleOrDefaultAsync(c => c.PersonId == personId && c.Purpose == purpose && c.Channel == channel, cancellationToken);
        return ContactRule.Decide(consent, now);
    }
}
