using System.Text.Json;

namespace CrmPlatform.Contracts.Contacts.V1;

/// <summary>The state of a person after a change; carried by <see cref="PersonCreated"/> and <see cref="PersonUpdated"/>.</summary>
/// <param name="Email">The primary email address (also first in <see cref="Emails"/>).</param>
/// <param name="Phone">The primary phone number in E.164, if any (also first in <see cref="Phones"/>).</param>
public sealed record PersonSnapshot(
    string FirstName,
    string LastName,
    string Email,
    string? Phone,
    string? JobTitle,
    Guid? OrganizationId)
{
    // Added after the first release of V1 (additive): events published before carry none of these, and subscribers
    // read them as null.

    /// <summary>Every email address, the primary first.</summary>
    public IReadOnlyList<ContactEmail>? Emails { get; init; }

    /// <summary>Every phone number, the primary first.</summary>
    public IReadOnlyList<ContactPhone>? Phones { get; init; }

    public IReadOnlyList<ContactAddress>? Addresses { get; init; }

    /// <summary>A BCP 47 language tag (<c>en-GB</c>).</summary>
    public string? Language { get; init; }

    /// <summary>email, phone, sms or mail; null when the person has not said.</summary>
    public string? PreferredChannel { get; init; }

    public bool? DoNotCall { get; init; }
    public bool? DoNotEmail { get; init; }

    /// <summary>Normalized (lower-case) tags, sorted.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>Who the person belongs to in Contacts (a user or API client id): record scopes follow it.</summary>
    public string? OwnerId { get; init; }

    /// <summary>The tenant's own segment name.</summary>
    public string? Segment { get; init; }

    public string? Industry { get; init; }

    /// <summary>cold, warm or hot.</summary>
    public string? Rating { get; init; }

    /// <summary>subscriber, lead, customer or former-customer.</summary>
    public string? LifecycleStage { get; init; }

    /// <summary>
    /// The tenant's custom fields that have a value, by key: text, number, date (<c>yyyy-MM-dd</c>), boolean, a choice
    /// or a list of choices, as the tenant defined them (<c>/api/v1/custom-fields</c> in Contacts).
    /// </summary>
    public IReadOnlyDictionary<string, JsonElement>? CustomFields { get; init; }

    /// <summary>
    /// The person restricted processing of their data (GDPR Art. 18): keep it, but do not use it for new purposes
    /// (no new opportunities, no marketing) until the restriction is lifted.
    /// </summary>
    public bool? ProcessingRestricted { get; init; }

    /// <summary>The person objected to direct marketing (GDPR Art. 21(2)): never contact them for marketing.</summary>
    public bool? ObjectsToDirectMarketing { get; init; }

    /// <summary>The person's data was erased; the snapshot holds placeholders only.</summary>
    public bool? Erased { get; init; }
}

public sealed record PersonCreated(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version, PersonSnapshot Person) : IIntegrationEvent;

public sealed record PersonUpdated(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version, PersonSnapshot Person) : IIntegrationEvent;

public sealed record PersonDeleted(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version) : IIntegrationEvent;
