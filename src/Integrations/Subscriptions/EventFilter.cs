using System.Text.Json;
using System.Text.Json.Nodes;
using CrmPlatform.Integrations.Events;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Integrations.Subscriptions;

/// <summary>
/// A subscription's optional filter: a JSON object of top-level payload fields and the values they must equal, all of
/// them (<c>{"kind": "call"}</c>, <c>{"customerId": "…", "currency": "EUR"}</c>). Values are strings, numbers, booleans or
/// null; a field the subscription may not see (field protection) never matches, so a filter cannot probe hidden data.
/// </summary>
public static class EventFilter
{
    public const int MaxFields = 20;

    public static string? Validate(JsonElement? filter, FieldErrors errors)
    {
        if (filter is not { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } given)
        {
            return null;
        }
        if (given.ValueKind != JsonValueKind.Object)
        {
            errors.Add("filter", "filter is an object of top-level payload fields and the values they must equal.");
            return null;
        }
        var count = 0;
        foreach (var field in given.EnumerateObject())
        {
            count++;
            if (field.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
            {
                errors.Add($"filter.{field.Name}", "A filter value is a string, number, boolean or null.");
            }
        }
        errors.When(count == 0, "filter", "filter names at least one field (or leave it out).");
        errors.When(count > MaxFields, "filter", $"filter has at most {MaxFields} fields.");
        return given.GetRawText();
    }

    /// <summary>
    /// Whether a subscription with <paramref name="filter"/> and <paramref name="scopes"/> takes an event: its filter
    /// sees the payload as the subscription would, so it cannot probe fields the scopes hide. Most subscriptions have
    /// no filter, and for them the payload is not protected (a JSON parse) for nothing.
    /// </summary>
    public static bool Takes(string? filter, IReadOnlyCollection<string> scopes, string payload) =>
        filter is null || Matches(filter, FieldProtection.Protect(payload, scopes));

    /// <summary>Whether the (protected) payload matches the filter.</summary>
    private static bool Matches(string filter, JsonNode? payload)
    {
        if (payload is not JsonObject fields)
        {
            return false;
        }
        foreach (var (name, expected) in JsonNode.Parse(filter)!.AsObject())
        {
            if (!fields.TryGetPropertyValue(name, out var actual) || !JsonNode.DeepEquals(Normalize(actual), Normalize(expected)))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Strings compared as written, numbers by value (1 equals 1.0).</summary>
    private static JsonNode? Normalize(JsonNode? value) =>
        value is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? JsonValue.Create(v.GetValue<decimal>()) : value;
}
