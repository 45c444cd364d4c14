namespace CrmPlatform.Contracts.Contacts.V1;

/// <summary>
/// The words consent is stated in. Part of the contract: events carry them as plain strings so that a purpose or channel
/// added later is an additive change, and a subscriber that does not know one still stores it (and, not knowing it,
/// never treats it as permission).
/// </summary>
public static class ConsentValues
{
    /// <summary>What a person may be contacted for: the platform's fixed initial set.</summary>
    public static readonly IReadOnlyList<string> Purposes = ["newsletter", "product-updates", "events"];

    /// <summary>How a person may be contacted.</summary>
    public static readonly IReadOnlyList<string> Channels = ["email", "phone", "post", "sms"];

    public const string Granted = "granted";
    public const string Withdrawn = "withdrawn";

    /// <summary>
    /// Asked for by double opt-in and not confirmed yet: never permission. Added after V1's first release; not a status
    /// clients state themselves (they request a double opt-in), so it is not in <see cref="Statuses"/>.
    /// </summary>
    public const string Pending = "pending";

    public static readonly IReadOnlyList<string> Statuses = [Granted, Withdrawn];
}

/// <summary>
/// A person's consent for one purpose on one channel changed (granted, renewed with a new validity window, or
/// withdrawn). <see cref="IIntegrationEvent.AggregateId"/> is the consent's id, one per person × purpose × channel, and
/// <see cref="IIntegrationEvent.Version"/> counts its changes. A granted consent counts only between
/// <paramref name="ValidFrom"/> and <paramref name="ValidUntil"/> (open-ended when null); a withdrawn one has neither.
/// </summary>
public sealed record ConsentChanged(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version,
    Guid PersonId, string Purpose, string Channel, string Status, DateTime? ValidFrom, DateTime? ValidUntil) : IIntegrationEvent;
