using CrmPlatform.Persistence.Audit;
using CrmPlatform.Persistence.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Integrations.Subscriptions;

public static class SubscriptionStatus
{
    public const string Active = "active";

    /// <summary>Nothing is sent; deliveries wait (and resume when it is active again).</summary>
    public const string Disabled = "disabled";

    public static readonly IReadOnlyList<string> All = [Active, Disabled];
}

/// <summary>How a subscription's events leave the platform.</summary>
public static class SubscriptionTransport
{
    /// <summary>HTTPS POST to the partner's URL, signed per Standard Webhooks.</summary>
    public const string Webhook = "webhook";

    /// <summary>A durable queue on the platform's broker that only the subscription's own broker user can read.</summary>
    public const string Amqp = "amqp";

    public static readonly IReadOnlyList<string> All = [Webhook, Amqp];
}

/// <summary>
/// A partner's subscription: which event types of its tenant it receives (optionally filtered), how (a webhook URL
/// and the secret its deliveries are signed with, or an AMQP queue and broker user of its own), and what fields it
/// may see (scopes). Configuration of the tenant, audited.
/// </summary>
public sealed class Subscription : UnownedAuditedEntity
{
    public const int UrlMaxLength = 2000;
    public const int DescriptionMaxLength = 500;

    public const int AmqpNameMaxLength = 100;

    public string Transport { get; set; } = SubscriptionTransport.Webhook;

    /// <summary>The webhook's URL; null for AMQP.</summary>
    public string? Url { get; set; }

    /// <summary>AMQP: the queue the events are published to and the broker user that alone may read it.</summary>
    public string? AmqpQueue { get; set; }
    public string? AmqpUser { get; set; }
    public string? Description { get; set; }

    /// <summary>Catalogue keys (<c>Contacts.V1.PersonCreated</c>).</summary>
    public List<string> EventTypes { get; set; } = [];

    /// <summary>Top-level payload field → value, all equal (JSON object), or null for every event of the types.</summary>
    public string? Filter { get; set; }
    public List<string> Scopes { get; set; } = [];

    /// <summary>Deliver one event at a time, in publication order: the next waits until the previous is delivered or dead.</summary>
    public bool Ordered { get; set; }
    public string Status { get; set; } = SubscriptionStatus.Active;

    /// <summary>Why it was disabled by the platform (sustained failure); null when a person disabled it or it is active.</summary>
    public string? DisabledReason { get; set; }

    /// <summary>The webhook signing secret; empty for AMQP (the broker user's password is never stored).</summary>
    [AuditRedacted]
    public string Secret { get; set; } = "";

    /// <summary>The secret before the last rotation, still signed with until <see cref="PreviousSecretExpiresAt"/>.</summary>
    [AuditRedacted]
    public string? PreviousSecret { get; set; }
    public DateTime? PreviousSecretExpiresAt { get; set; }

    /// <summary>Since when every attempt has failed (null after a success): what automatic disabling measures.</summary>
    [AuditIgnored]
    public DateTime? FailingSince { get; set; }

    /// <summary>The secrets a delivery made at <paramref name="now"/> is signed with: the current one first.</summary>
    public IReadOnlyList<string> SigningSecrets(DateTime now) =>
        PreviousSecret is not null && PreviousSecretExpiresAt > now ? [Secret, PreviousSecret] : [Secret];
}

public static class SubscriptionModel
{
    public static ModelBuilder AddSubscriptions(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Subscription>(subscription =>
        {
            subscription.ToTable("subscriptions");
            subscription.HasKey(s => s.Id);
            subscription.HasIndex(s => new { s.TenantId, s.CreatedAt, s.Id });
            subscription.Property(s => s.Url).HasMaxLength(Subscription.UrlMaxLength);
            subscription.Property(s => s.Transport).HasMaxLength(20).HasDefaultValue(SubscriptionTransport.Webhook);
            subscription.Property(s => s.AmqpQueue).HasMaxLength(Subscription.AmqpNameMaxLength);
            subscription.Property(s => s.AmqpUser).HasMaxLength(Subscription.AmqpNameMaxLength);
            subscription.Property(s => s.Description).HasMaxLength(Subscription.DescriptionMaxLength);
            subscription.Property(s => s.Filter).HasColumnType("jsonb");
            subscription.Property(s => s.Status).HasMaxLength(20);
            subscription.Property(s => s.DisabledReason).HasMaxLength(500);
            subscription.Property(s => s.Secret).HasMaxLength(100);
            subscription.Property(s => s.PreviousSecret).HasMaxLength(100);
        });
        return modelBuilder;
    }
}
