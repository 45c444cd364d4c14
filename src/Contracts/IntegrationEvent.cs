namespace CrmPlatform.Contracts;

/// <summary>
/// Envelope fields every integration event carries. <see cref="Version"/> is the version of the aggregate after the
/// change, so a subscriber can drop an event older than what it already holds (deliveries may be re-ordered or repeated).
/// </summary>
public interface IIntegrationEvent
{
    Guid EventId { get; }
    DateTime OccurredAt { get; }
    Guid TenantId { get; }
    Guid AggregateId { get; }
    int Version { get; }
}
