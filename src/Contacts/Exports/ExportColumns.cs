using System.Globalization;
using System.Text.Json;
using CrmPlatform.Contacts.Imports;
using CrmPlatform.Contacts.Model;

namespace CrmPlatform.Contacts.Exports;

/// <summary>A column of a CSV or XLSX export: its header and the text of a record's cell.</summary>
public sealed record ExportColumn<T>(string Header, Func<T, string?> Value);

/// <summary>
/// The columns of flat exports. A person's columns carry the import's field names (first address, lists joined with
/// <c>;</c>, custom fields as <c>custom.{key}</c>), so an exported file imports again without a mapping.
/// </summary>
public static class ExportColumns
{
    public static List<ExportColumn<Person>> People(IEnumerable<CustomFieldDefinition> customFields) =>
    [
        new("id", p => p.Id.ToString()),
        new("firstName", p => p.FirstName),
        new("lastName", p => p.LastName),
        new("email", p => p.Email),
        new("emails", p => Joined(p.Emails.Select(e => e.Address))),
        new("phone", p => p.Phone),
        new("phones", p => Joined(p.Phones.Select(n => n.Number))),
        new("jobTitle", p => p.JobTitle),
        new("language", p => p.Language),
        new("preferredChannel", p => p.PreferredChannel is { } channel ? KindNames.Of(channel) : null),
        new("doNotCall", p => Flag(p.DoNotCall)),
        new("doNotEmail", p => Flag(p.DoNotEmail)),
        .. AddressColumns<Person>(p => p.Addresses),
        new("tags", p => Joined(p.Tags)),
        new("organizationId", p => p.OrganizationId?.ToString()),
        .. ClassificationColumns<Person>(),
        new("ownerId", p => p.OwnerId),
        new("createdAt", p => Timestamp(p.CreatedAt)),
        new("updatedAt", p => Timestamp(p.UpdatedAt)),
        .. CustomColumns<Person>(customFields),
    ];

    public static List<ExportColumn<Organization>> Organizations(IEnumerable<CustomFieldDefinition> customFields) =>
    [
        new("id", o => o.Id.ToString()),
        new("name", o => o.Name),
        new("domain", o => o.Domain),
        new("size", o => o.Size is { } size ? KindNames.Of(size) : null),
        .. AddressColumns<Organization>(o => o.Addresses),
        new("tags", o => Joined(o.Tags)),
        new("parentOrganizationId", o => o.ParentOrganizationId?.ToString()),
        .. ClassificationColumns<Organization>(),
        new("ownerId", o => o.OwnerId),
        new("createdAt", o => Timestamp(o.CreatedAt)),
        new("updatedAt", o => Timestamp(o.UpdatedAt)),
        .. CustomColumns<Organization>(customFields),
    ];

    private static IEnumerable<ExportColumn<T>> AddressColumns<T>(Func<T, IReadOnlyList<PostalAddress>> addresses) =>
    [
        new("addressType", r => addresses(r) is [var a, ..] ? KindNames.Of(a.Type) : null),
        new("street", r => addresses(r) is [var a, ..] ? a.Street : null),
        new("city", r => addresses(r) is [var a, ..] ? a.City : null),
        new("postalCode", r => addresses(r) is [var a, ..] ? a.PostalCode : null),
        new("region", r => addresses(r) is [var a, ..] ? a.Region : null),
        new("country", r => addresses(r) is [var a, ..] ? a.Country : null),
    ];

    private static IEnumerable<ExportColumn<T>> ClassificationColumns<T>() where T : CustomerRecord =>
    [
        new("segment", r => r.Segment),
        new("industry", r => r.Industry),
        new("rating", r => r.Rating is { } rating ? KindNames.Of(rating) : null),
        new("lifecycleStage", r => r.LifecycleStage is { } stage ? KindNames.Of(stage) : null),
    ];

    private static IEnumerable<ExportColumn<T>> CustomColumns<T>(IEnumerable<CustomFieldDefinition> customFields) where T : CustomerRecord =>
        customFields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(field => new ExportColumn<T>(ImportFields.CustomPrefix + field.Key,
            r => r.CustomFields.RootElement.TryGetProperty(field.Key, out var value) ? Text(value) : null));

    private static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Array => Joined(value.EnumerateArray().Select(v => Text(v) ?? "")),
        JsonValueKind.Null => null,
        _ => value.GetRawText(),
    };

    private static string? Joined(IEnumerable<string> values) => string.Join(";", values) is { Length: > 0 } text ? text : null;
    private static string Flag(bool value) => value ? "true" : "false";
    private static string Timestamp(DateTime value) => value.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
