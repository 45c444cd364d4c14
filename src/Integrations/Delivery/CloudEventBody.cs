using System.Text.Json;
using System.Text.RegularExpressions;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using CrmPlatform.Integrations.Events;

namespace CrmPlatform.Integrations.Delivery;

/// <summary>
/// A webhook's body: a CloudEvents 1.0 event in structured JSON mode. <c>type</c> is
/// <c>crmplatform.{area}.{event-name}.{version}</c> (<c>crmplatform.contacts.person-created.v1</c>), <c>source</c>
/// <c>/crmplatform/{area}</c>, <c>id</c> the event id (also the webhook-id), <c>time</c> when it happened, <c>subject</c>
/// the aggregate id, extension <c>tenantid</c>; <c>data</c> the payload as the catalogue describes it, less what the
/// subscription's scopes do not cover.
/// </summary>
public static partial class CloudEventBody
{
    public const string ContentType = "application/cloudevents+json";

    public static readonly CloudEventAttribute TenantIdAttribute = CloudEventAttribute.CreateExtension("tenantid", CloudEventAttributeType.String);

    private static readonly JsonEventFormatter Formatter = new();

    /// <summary><c>Contacts.V1.PersonCreated</c> → <c>crmplatform.contacts.person-created.v1</c>.</summary>
    public static string TypeOf(string key)
    {
        var parts = key.Split('.');
        return $"crmplatform.{parts[0].ToLowerInvariant()}.{Kebab().Replace(parts[2], "$1-$2").ToLowerInvariant()}.{parts[1].ToLowerInvariant()}";
    }

    public static byte[] Encode(EventLogEntry entry, IReadOnlyCollection<string> scopes)
    {
        var data = FieldProtection.Protect(entry.Payload, scopes);
        var cloudEvent = new CloudEvent(CloudEventsSpecVersion.V1_0, [TenantIdAttribute])
        {
            Id = entry.EventId.ToString(),
            Type = TypeOf(entry.Type),
            Source = new Uri($"/crmplatform/{entry.Type.Split('.')[0].ToLowerInvariant()}", UriKind.Relative),
            Time = new DateTimeOffset(DateTime.SpecifyKind(entry.OccurredAt, DateTimeKind.Utc)),
            Subject = entry.AggregateId.ToString(),
            DataContentType = "application/json",
            Data = JsonSerializer.SerializeToElement(data),
        };
        cloudEvent[TenantIdAttribute] = entry.TenantId.ToString();
        return Formatter.EncodeStructuredModeMessage(cloudEvent, out _).ToArray();
    }

    [GeneratedRegex("([a-z0-9])([A-Z])")]
    private static partial Regex Kebab();
}
