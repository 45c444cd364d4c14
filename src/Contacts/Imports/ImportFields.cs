using System.Text.Json;
using CrmPlatform.Contacts.Apis;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Persistence.Imports;

namespace CrmPlatform.Contacts.Imports;

/// <summary>
/// The person fields a file column can fill, and how a row of text becomes the same <see cref="PersonRequest"/> the API
/// reads, so that an imported person passes exactly the API's checks and normalization. Lists (<c>emails</c>,
/// <c>phones</c>, <c>tags</c>) are separated by <c>;</c> or <c>,</c> with the first entry primary; one address per row.
/// Custom fields are <c>custom.{key}</c>.
/// </summary>
public static class ImportFields
{
    public const string ExternalId = "externalId";
    public const string CustomPrefix = "custom.";

    public static readonly IReadOnlyList<string> All =
    [
        "firstName", "lastName", "email", "emails", "phone", "phones", "phoneRegion", "jobTitle", "language", "tags", "ownerId",
        "organizationId", "segment", "industry", "rating", "lifecycleStage", "preferredChannel", "doNotCall", "doNotEmail",
        "street", "city", "postalCode", "region", "country", "addressType", ExternalId,
    ];

    private static readonly char[] ListSeparators = [';', ','];

    public static bool IsKnown(string field) =>
        All.Contains(field) || (field.StartsWith(CustomPrefix, StringComparison.Ordinal) && field.Length > CustomPrefix.Length);

    /// <summary>Columns named like a field (any case, ignoring spaces, <c>_</c> and <c>-</c>) map to it.</summary>
    public static Dictionary<string, string> Guess(IEnumerable<string> columns, IEnumerable<string> customFieldKeys) =>
        ImportFiles.GuessMapping(columns, All.Concat(customFieldKeys.Select(k => CustomPrefix + k)));

    /// <summary>A row's values by field; empty cells are left out, as if the field were not sent.</summary>
    public static Dictionary<string, string> ByField(IReadOnlyDictionary<string, string?> row, IReadOnlyDictionary<string, string> mapping)
    {
        var fields = new Dictionary<string, string>();
        foreach (var (column, field) in mapping)
        {
            if (row.TryGetValue(column, out var value) && !string.IsNullOrWhiteSpace(value))
            {
                fields[field] = value;
            }
        }
        return fields;
    }

    public static PersonRequest ToRequest(IReadOnlyDictionary<string, string> fields, IReadOnlyCollection<CustomFieldDefinition> customFields)
    {
        string? Text(string field) => fields.TryGetValue(field, out var value) ? value : null;
        var emails = List(Text("emails"))?.Select((address, i) => (EmailInput?)new EmailInput(address, null, i == 0)).ToList();
        var phones = List(Text("phones"))?.Select((number, i) => (PhoneInput?)new PhoneInput(number, null, i == 0)).ToList();
        AddressInput?[]? addresses = new[] { "street", "city", "postalCode", "region", "country" }.Any(fields.ContainsKey)
            ? [new AddressInput(Text("addressType"), Text("street"), Text("city"), Text("postalCode"), Text("region"), Text("country"))]
            : null;
        var preferences = new[] { "preferredChannel", "doNotCall", "doNotEmail" }.Any(fields.ContainsKey)
            ? new CommunicationPreferencesInput(Text("preferredChannel"), Flag(Text("doNotCall")), Flag(Text("doNotEmail")))
            : null;
        var custom = fields.Where(f => f.Key.StartsWith(CustomPrefix, StringComparison.Ordinal))
            .ToDictionary(f => f.Key[CustomPrefix.Length..], f => CustomValue(f.Value, customFields.FirstOrDefault(d => d.Key == f.Key[CustomPrefix.Length..])));

        return new PersonRequest(Text("firstName"), Text("lastName"), Text("email"), emails, Text("phone"), phones, Text("phoneRegion"),
            addresses, Text("jobTitle"), Text("language"), preferences, List(Text("tags")), Text("ownerId"),
            Guid.TryParse(Text("organizationId"), out var organizationId) ? organizationId : null,
            Text("segment"), Text("industry"), Text("rating"), Text("lifecycleStage"), custom.Count > 0 ? custom : null);
    }

    /// <summary>Problems the request cannot show: an organization id or a flag that is not one.</summary>
    public static IEnumerable<string> TextProblems(IReadOnlyDictionary<string, string> fields)
    {
        if (fields.TryGetValue("organizationId", out var organization) && !Guid.TryParse(organization, out _))
        {
            yield return "organizationId: not an id.";
        }
        foreach (var flag in new[] { "doNotCall", "doNotEmail" })
        {
            if (fields.TryGetValue(flag, out var value) && Flag(value) is null)
            {
                yield return $"{flag}: write true or false (yes/no, 1/0).";
            }
        }
    }

    private static List<string?>? List(string? text) =>
        text?.Split(ListSeparators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => (string?)s).ToList();

    private static bool? Flag(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null => null,
        "true" or "yes" or "y" or "1" or "x" => true,
        "false" or "no" or "n" or "0" or "" => false,
        _ => null,
    };

    /// <summary>Numbers and yes/no as JSON numbers and booleans for fields of those types, lists for multi-choice; else text.</summary>
    private static JsonElement CustomValue(string text, CustomFieldDefinition? definition) => definition?.Type switch
    {
        CustomFieldType.Number when decimal.TryParse(text, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var number)
            => JsonSerializer.SerializeToElement(number),
        CustomFieldType.Boolean when Flag(text) is { } flag => JsonSerializer.SerializeToElement(flag),
        CustomFieldType.MultiChoice => JsonSerializer.SerializeToElement(List(text)),
        _ => JsonSerializer.SerializeToElement(text.Trim()),
    };
}
