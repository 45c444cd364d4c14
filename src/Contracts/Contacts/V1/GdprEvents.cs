namespace CrmPlatform.Contracts.Contacts.V1;

/// <summary>
/// A data subject asked for everything the platform holds about them (GDPR Art. 15 and 20). Every service that keeps
/// personal data, Contacts included, answers with one <see cref="Gdpr.V1.PersonalDataCollected"/>.
/// <see cref="IIntegrationEvent.AggregateId"/> is the request's id; <see cref="IIntegrationEvent.Version"/> is 1.
/// </summary>
public sealed record PersonalDataRequested(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version, Guid PersonId) : IIntegrationEvent;

/// <summary>
/// A person's data is to be erased everywhere (GDPR Art. 17, or a tenant's retention policy): every service anonymizes
/// what it keeps about them and answers with one <see cref="Gdpr.V1.PersonErasureConfirmed"/>.
/// <see cref="IIntegrationEvent.AggregateId"/> is the request's id; <see cref="IIntegrationEvent.Version"/> is 1.
/// </summary>
public sealed record PersonErasureRequested(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version, Guid PersonId) : IIntegrationEvent;
