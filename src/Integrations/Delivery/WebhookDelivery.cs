using CrmPlatform.Integrations.Subscriptions;
using CrmPlatform.Persistence.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Integrations.Delivery;

public static class DeliveryStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";

    /// <summary>Every attempt failed: a dead letter, listed and re-sendable.</summary>
    public const string Dead = "dead";

    public static readonly IReadOnlyList<string> All = [Pending, Delivered, Dead];
}

/// <summary>
/// One event owed to one subscription. The dispatcher claims due rows (<see cref="NextAttemptAt"/>) with SKIP LOCKED and
/// leases them by moving that time forward, so a crash mid-send only delays the retry. A replay makes new rows for the
/// same events (same webhook-id: receivers dedupe by it).
/// </summary>
public sealed class WebhookDelivery : ITenantOwned, IKeysetOrdered
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid SubscriptionId { get; init; }
    public Guid EventId { get; init; }

    /// <summary>The event's place in the log: ordered subscriptions deliver in this order.</summary>
    public long EventSequence { get; init; }
    public DateTime CreatedAt { get; init; }
    public string Status { get; set; } = DeliveryStatus.Pending;
    public int Attempts { get; set; }
    public DateTime NextAttemptAt { get; set; }
    public DateTime? CompletedAt { get; set; }
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
    public bool Replay { get; init; }
}

/// <summary>One HTTP attempt of a delivery: the delivery log.</summary>
public sealed class DeliveryAttempt : ITenantOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid DeliveryId { get; init; }
    public DateTime AttemptedAt { get; init; }
    public int? StatusCode { get; init; }
    public int LatencyMs { get; init; }
    public string? Error { get; init; }
}

public static class DeliveryModel
{
    public static ModelBuilder AddDeliveries(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<WebhookDelivery>(delivery =>
        {
            delivery.ToTable("deliveries");
            delivery.HasKey(d => d.Id);
            delivery.Property(d => d.Status).HasMaxLength(20);
            delivery.Property(d => d.LastError).HasMaxLength(1000);
            delivery.HasOne<Subscription>().WithMany().HasForeignKey(d => d.SubscriptionId).OnDelete(DeleteBehavior.Cascade);
            // The dispatcher's queue, across tenants.
            delivery.HasIndex(d => d.NextAttemptAt).HasFilter("status = 'pending'").HasDatabaseName("ix_deliveries_due");
            // Ordered subscriptions: is an earlier event still pending?
            delivery.HasIndex(d => new { d.SubscriptionId, d.EventSequence }).HasFilter("status = 'pending'").HasDatabaseName("ix_deliveries_pending_order");
            delivery.HasIndex(d => new { d.SubscriptionId, d.CreatedAt, d.Id });
        });
        modelBuilder.Entity<DeliveryAttempt>(attempt =>
        {
            attempt.ToTable("delivery_attempts");
            attempt.HasKey(a => a.Id);
            attempt.Property(a => a.Error).HasMaxLength(1000);
            attempt.HasOne<WebhookDelivery>().WithMany().HasForeignKey(a => a.DeliveryId).OnDelete(DeleteBehavior.Cascade);
            attempt.HasIndex(a => new { a.DeliveryId, a.AttemptedAt });
        });
        return modelBuilder;
    }
}
