using System.Diagnostics;
using System.Text.Json;
using CrmPlatform.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CrmPlatform.Persistence.Outbox;

/// <summary>An integration event waiting in the same database as the change that raised it, until the broker confirms it.</summary>
public sealed class OutboxMessage
{
    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>Commit order; the dispatcher publishes in this order.</summary>
    public long Sequence { get; private set; }
    public Guid EventId { get; private set; }
    public string EventType { get; private set; } = "";
    public string Payload { get; private set; } = "";
    public Guid TenantId { get; private set; }
    public DateTime OccurredAt { get; private set; }
    public DateTime? PublishedAt { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }

    /// <summary>
    /// The W3C <c>traceparent</c> of the request that raised the event: the dispatcher publishes under it, so that the
    /// request and the events it causes form one trace although publishing happens later, on another thread.
    /// </summary>
    public string? TraceParent { get; private set; }

    public static OutboxMessage From(IIntegrationEvent integrationEvent) => new()
    {
        TraceParent = Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity.Id : null,
        EventId = integrationEvent.EventId,
        EventType = integrationEvent.GetType().FullName!,
        Payload = JsonSerializer.Serialize(integrationEvent, integrationEvent.GetType(), JsonOptions),
        TenantId = integrationEvent.TenantId,
        OccurredAt = integrationEvent.OccurredAt,
    };

    public IIntegrationEvent ToEvent()
    {
        var type = typeof(IIntegrationEvent).Assembly.GetType(EventType)
            ?? throw new InvalidOperationException($"Unknown event type '{EventType}' in the outbox.");
        return (IIntegrationEvent)JsonSerializer.Deserialize(Payload, type, JsonOptions)!;
    }
}

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.ToTable("outbox_messages");
        builder.HasKey(m => m.Sequence);
        builder.Property(m => m.Sequence).UseIdentityAlwaysColumn();
        builder.Property(m => m.EventType).HasMaxLength(300);
        builder.Property(m => m.TraceParent).HasMaxLength(128);
        builder.Property(m => m.Payload).HasColumnType("jsonb");
        builder.HasIndex(m => m.EventId).IsUnique();
        builder.HasIndex(m => m.Sequence).HasFilter("published_at IS NULL").HasDatabaseName("ix_outbox_messages_pending");
    }
}
