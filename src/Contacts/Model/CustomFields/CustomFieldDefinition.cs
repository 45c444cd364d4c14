using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Contacts.Model;

/// <summary>Which records a custom field belongs to.</summary>
public enum CustomFieldEntity
{
    Person,
    Organization,
}

public enum CustomFieldType
{
    Text,
    Number,
    /// <summary>A calendar date, <c>yyyy-MM-dd</c>.</summary>
    Date,
    Boolean,
    SingleChoice,
    MultiChoice,
}

/// <summary>
/// A field a tenant adds to its people or organizations at run time. Values live in the record's <c>custom_fields</c>
/// (jsonb), keyed by <see cref="Key"/>, and are checked against the definition on every write of the record. The key,
/// the entity and the type never change (values written under them would no longer fit); label, options and whether a
/// value is required may.
/// </summary>
public sealed partial class CustomFieldDefinition : UnownedAuditedEntity
{
    public const int KeyMaxLength = 40;
    public const int LabelMaxLength = 100;
    public const int MaxOptions = 100;
    public const int OptionMaxLength = 100;
    public const int TextMaxLength = 1000;
    public const int MaxPerEntity = 100;

    [GeneratedRegex("^[a-z][a-zA-Z0-9_]{0,39}$", RegexOptions.CultureInvariant)]
    public static partial Regex KeyPattern();

    public CustomFieldEntity Entity { get; init; }
    public string Key { get; init; } = "";
    public string Label { get; set; } = "";
    public CustomFieldType Type { get; init; }
    /// <summary>The choices of a single- or multi-choice field, in the order they are offered; empty for other types.</summary>
    public string[] Options { get; set; } = [];
    public bool Required { get; set; }

    public bool IsChoice => Type is CustomFieldType.SingleChoice or CustomFieldType.MultiChoice;

    /// <summary>
    /// A value as stored: text trimmed, choices in the options' spelling (multi-choice in the options' order), dates as
    /// <c>yyyy-MM-dd</c>. Null with an error when the value does not fit the type; null without one for "no value"
    /// (JSON null, an empty text or an empty multi-choice).
    /// </summary>
    public JsonNode? Normalize(JsonElement value, out string? error)
    {
        error = null;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        switch (Type)
        {
            case CustomFieldType.Text when value.ValueKind == JsonValueKind.String:
                var text = value.GetString()!.Trim();
                if (text.Length > TextMaxLength)
                {
                    error = $"at most {TextMaxLength} characters.";
                    return null;
                }
                return text.Length == 0 ? null : JsonValue.Create(text);
            case CustomFieldType.Number when value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var number):
                return JsonValue.Create(number);
            case CustomFieldType.Date when value.ValueKind == JsonValueKind.String
                && DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date):
                return JsonValue.Create(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            case CustomFieldType.Boolean when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                return JsonValue.Create(value.GetBoolean());
            case CustomFieldType.SingleChoice when value.ValueKind == JsonValueKind.String:
                if (Option(value.GetString()!) is { } option)
                {
                    return JsonValue.Create(option);
                }
                error = $"must be one of {string.Join(", ", Options)}.";
                return null;
            case CustomFieldType.MultiChoice when value.ValueKind == JsonValueKind.Array:
                var chosen = new HashSet<string>();
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String || Option(item.GetString()!) is not { } choice)
                    {
                        error = $"each choice must be one of {string.Join(", ", Options)}.";
                        return null;
                    }
                    chosen.Add(choice);
                }
                return chosen.Count == 0 ? null : new JsonArray([.. Options.Where(chosen.Contains).Select(o => JsonValue.Create(o))]);
        }
        error = Type switch
        {
            CustomFieldType.Number => "must be a number.",
            CustomFieldType.Date => "must be a date written yyyy-MM-dd.",
            CustomFieldType.Boolean => "must be true or false.",
            CustomFieldType.MultiChoice => "must be a list of choices.",
            _ => "must be text.",
        };
        return null;
    }

    /// <summary>The option matching <paramref name="value"/> regardless of case and surrounding spaces.</summary>
    private string? Option(string value) => Options.FirstOrDefault(o => string.Equals(o, value.Trim(), StringComparison.OrdinalIgnoreCase));
}
