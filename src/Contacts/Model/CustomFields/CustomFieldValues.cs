using System.Text.Json;
using System.Text.Json.Nodes;

namespace CrmPlatform.Contacts.Model;

/// <summary>
/// A record's custom field values: a JSON object from key to value, holding only keys its tenant has defined, each
/// value normalized by its definition, keys in order, so that equal values are equal documents.
/// </summary>
public static class CustomFieldValues
{
    public static JsonDocument Empty => JsonDocument.Parse("{}");

    /// <summary>
    /// The stored object for these input values, checked against the definitions of the record's entity; problems are
    /// added to <paramref name="errors"/> as <c>customFields.{key}</c>.
    /// </summary>
    public static JsonDocument Read(
        IReadOnlyDictionary<string, JsonElement>? input, IReadOnlyCollection<CustomFieldDefinition> definitions, string entityName,
        Action<string, string> error)
    {
        var values = new JsonObject();
        var byKey = definitions.ToDictionary(d => d.Key, StringComparer.Ordinal);
        foreach (var key in (input?.Keys ?? []).Where(key => !byKey.ContainsKey(key)))
        {
            error($"customFields.{key}", $"There is no custom field '{key}' for {entityName}.");
        }
        foreach (var definition in definitions.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            string? problem = null;
            var value = input is not null && input.TryGetValue(definition.Key, out var given) ? definition.Normalize(given, out problem) : null;
            if (problem is not null)
            {
                error($"customFields.{definition.Key}", $"{definition.Label} {problem}");
            }
            else if (value is null && definition.Required)
            {
                error($"customFields.{definition.Key}", $"{definition.Label} is required.");
            }
            else if (value is not null)
            {
                values[definition.Key] = value;
            }
        }
        return JsonSerializer.SerializeToDocument(values);
    }

    public static bool AreEqual(JsonDocument left, JsonDocument right) => JsonElement.DeepEquals(left.RootElement, right.RootElement);

    /// <summary>As events carry them: key to value.</summary>
    public static Dictionary<string, JsonElement> ToDictionary(JsonDocument values) =>
        values.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
}
