using CrmPlatform.Persistence.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Integrations.Events;

/// <summary>
/// One integration event as the platform published it, kept so deliveries and replays read the same bytes: the
/// payload is the event's JSON (camelCase, as the catalogue describes it). An erased person's entries are redacted in
/// place (<see cref="Redacted"/>), so nothing sent later — a retry or a replay — carries their data again.
/// </summary>
public sealed class EventLogEntry : ITenantOwned
{
    /// <summary>Insertion order across the log: replays and the fan-out page by it.</summary>
    public long Sequence { get; init; }
    public Guid TenantId { get; set; }
    public Guid EventId { get; init; }

    /// <summary>The catalogue key, <c>Contacts.V1.PersonCreated</c>.</summary>
    public string Type { get; init; } = "";
    public DateTime OccurredAt { get; init; }
    public Guid AggregateId { get; init; }

    /// <summary>The person the event is about, when it names one (its aggregate or a <c>personId</c>): what an erasure redacts.</summary>
    public Guid? PersonId { get; init; }
    public string Payload { get; set; } = "{}";
    public DateTime ReceivedAt { get; init; }
    public DateTime? Redacted { get; set; }
}

/// <summary>A person erased in a tenant: events about them that arrive later are stored redacted.</summary>
public sealed class ErasedPerson : ITenantOwned
{
    public Guid TenantId { get; set; }
    public Guid PersonId { get; init; }
    public DateTime ErasedAt { get; init; }
}

/// <summary>
/// The tenant's admins as Identity's user events describe them (role <c>admin</c>, not disabled, with an email): whom
/// to tell when a subscription is disabled for failing.
/// </summary>
public sealed class TenantAdmin : ITenantOwned
{
    public Guid TenantId { get; set; }
    public Guid UserId { get; init; }
    public string Email { get; set; } = "";
    public bool IsAdmin { get; set; }
    public int Version { get; set; }
}

public static class EventLogModel
{
    public static ModelBuilder AddEventLog(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<EventLogEntry>(entry =>
        {
            entry.ToTable("event_log");
            entry.HasKey(e => e.Sequence);
            entry.Property(e => e.Sequence).UseIdentityAlwaysColumn();
            entry.HasIndex(e => e.EventId).IsUnique();
            entry.Property(e => e.Type).HasMaxLength(200);
            entry.Property(e => e.Payload).HasColumnType("jsonb");
            // Replays by time range and from an event id: the tenant's log in publication order.
            entry.HasIndex(e => new { e.TenantId, e.OccurredAt, e.Sequence });
            entry.HasIndex(e => new { e.TenantId, e.PersonId }).HasFilter("person_id IS NOT NULL");
        });
        modelBuilder.Entity<ErasedPerson>(erased =>
        {
            erased.ToTable("erased_people");
            erased.HasKey(e => new { e.TenantId, e.PersonId });
        });
        modelBuilder.Entity<TenantAdmin>(admin =>
        {
            admin.ToTable("tenant_admins");
            admin.HasKey(a => new { a.TenantId, a.UserId });
            admin.Property(a => a.Email).HasMaxLength(320);
        });
        return modelBuilder;
    }
}
