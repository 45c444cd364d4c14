using System.Text.Json;

namespace CrmPlatform.Contracts.Gdpr.V1;

/// <summary>The services that answer data subject requests, as they name themselves in replies.</summary>
public static class GdprServiceNames
{
    public const string Contacts = "contacts";
    public const string Sales = "sales";
    public const string Marketing = "marketing";
    public const string Service = "service";

    /// <summary>Partners' event subscriptions: keeps the event log (payloads that name people) deliveries and replays read.</summary>
    public const string Integrations = "integrations";

    public static readonly IReadOnlyList<string> All = [Contacts, Sales, Marketing, Service, Integrations];
}

/// <summary>
/// One service's part of an access request: what it holds about the person, as a JSON object whose keys are the kinds
/// of data it keeps (<c>contactDirectory</c>, <c>opportunities</c>, <c>auditEntries</c>…). Published by every service,
/// Contacts included; <see cref="IIntegrationEvent.AggregateId"/> is the request's id.
/// </summary>
public sealed record PersonalDataCollected(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version, Guid PersonId, string Service, JsonElement Data)
    : IIntegrationEvent;

/// <summary>
/// A service has anonymized what it keeps about the person (<paramref name="ErasedAt"/>), with counts of what it changed
/// by kind. Published by every service; <see cref="IIntegrationEvent.AggregateId"/> is the request's id.
/// </summary>
public sealed record PersonErasureConfirmed(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version, Guid PersonId, string Service, DateTime ErasedAt,
    IReadOnlyDictionary<string, int> Erased) : IIntegrationEvent;
