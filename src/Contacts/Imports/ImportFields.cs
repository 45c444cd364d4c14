using System.Text.Json;
using CrmPlatform.Contacts.Apis;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Persistence.Imports;

namespace CrmPlatform.Contacts.Imports;

/// <summary>
/// The person fields a file column can fill, and how a row of text becomes the same <see cref="PersonRequest"/> the API
/// reads, so that an imported person passes exactly the API's checks and normalization. Lists (<c>emails</c>,
/// <c>phones</c>, <c>tags</c>) are separated by <c>;</c> or <c>,</c> with the first entry primary; one address per row.
/// Custom fields are <c>custom.{key}</c>. Spreadsheets split and join things differently from the API, so a few
/// fields exist for files only: <c>fullName</c> (split into first and last name when those are not mapped),
/// <c>houseNumber</c> (joined to the street), <c>mobile</c> (one more number, of type mobile), <c>organizationName</c>
/// (the organization by name, see <c>PersonImporter</c>).
/// </summary>
public static class ImportFields
{
    public const string ExternalId = "externalId";
    public const string CustomPrefix = "custom.";
    public const string FullName = "fullName";
    public const string OrganizationName = "organizationName";

    public static readonly IReadOnlyList<string> All =
    [
        "firstName", "lastName", FullName, "email", "emails", "phone", "phones", "mobile", "phoneRegion", "jobTitle", "language", "tags", "ownerId",
        "organizationId", OrganizationName, "segment", "industry", "rating", "lifecycleStage", "preferredChannel", "doNotCall", "doNotEmail",
        "street", "houseNumber", "city", "postalCode", "region", "country", "addressType", ExternalId,
    ];

    /// <summary>
    /// What English and German address lists (and Excel, Outlook and CRM exports) call the fields, as
    /// <see cref="ImportFiles.HeaderKey"/> writes them: <c>E-Mail</c>, <c>Straße</c> and <c>Tel.</c> are <c>email</c>,
    /// <c>strasse</c> and <c>tel</c>. <c>Titel</c> (Dr., Prof.) and <c>Anrede</c> (Herr, Frau) have no person field: a
    /// custom field keyed or labelled like the column takes it (see <see cref="Guess"/>). <c>Firma</c> is the
    /// organization's name, which the importer links the person to (creating the organization when none has the name).
    /// </summary>
    private static readonly Dictionary<string, string> Synonyms = new[]
    {
        ("firstName", "first firstname givenname forename vorname rufname prenom"),
        ("lastName", "last lastname surname familyname nachname familienname zuname"),
        (FullName, "name fullname vollername kontakt kontaktname contact contactname ansprechpartner"),
        ("email", "email mail emailaddress emailadresse mailadresse emailadr eadresse"),
        ("phone", "phone telefon tel telephone telefonnummer telnr phonenumber fon rufnummer festnetz telefongeschaeftlich businessphone workphone"),
        ("mobile", "mobile mobil mobilnummer mobiltelefon handy handynummer cell cellphone mobilephone"),
        ("jobTitle", "jobtitle title position funktion job role rolle berufsbezeichnung stellung"),
        ("language", "language sprache"),
        ("tags", "tags tag labels schlagworte schlagwort stichworte"),
        ("industry", "industry branche"),
        (OrganizationName, "organization organisation organizationname company companyname account accountname firma firmenname unternehmen arbeitgeber"),
        ("street", "street strasse str streetaddress address adresse anschrift address1 addressline1 strassehausnummer strasseundhausnummer"),
        ("houseNumber", "housenumber hausnummer hausnr hnr"),
        ("postalCode", "postalcode postcode zip zipcode plz postleitzahl"),
        ("city", "city town ort stadt wohnort ortschaft"),
        ("region", "region state province county bundesland kanton"),
        ("country", "country countrycode land staat laendercode"),
        (ExternalId, "externalid"),
    }.SelectMany(f => f.Item2.Split(' ').Select(name => (name, field: f.Item1))).ToDictionary(s => s.name, s => s.field);

    private static readonly char[] ListSeparators = [';', ','];

    public static bool IsKnown(string field) =>
        All.Contains(field) || (field.StartsWith(CustomPrefix, StringComparison.Ordinal) && field.Length > CustomPrefix.Length);

    /// <summary>
    /// Columns named like a field or one of its usual names (<see cref="Synonyms"/>), in any case and punctuation, map
    /// to it, each field from one column; then columns named like a custom field's key or label (<c>Anrede</c> for a
    /// field labelled so). A <c>Name</c> beside a <c>Vorname</c> is the last name (as German lists write it); a
    /// <c>Name</c> alone is the full name.
    /// </summary>
    public static Dictionary<string, string> Guess(IEnumerable<string> columns, IReadOnlyCollection<CustomFieldDefinition> customFields)
    {
        var byKey = new Dictionary<string, string>(Synonyms);
        foreach (var field in All.Concat(customFields.Select(f => CustomPrefix + f.Key)))
        {
            byKey[ImportFiles.HeaderKey(field)] = field;
        }
        foreach (var custom in customFields)
        {
            byKey.TryAdd(ImportFiles.HeaderKey(custom.Key), CustomPrefix + custom.Key);
            byKey.TryAdd(ImportFiles.HeaderKey(custom.Label), CustomPrefix + custom.Key);
        }
        var mapping = ImportFiles.GuessMapping(columns, byKey);
        var mapped = mapping.Values.ToHashSet();
        if (mapped.Contains(FullName) && mapped.Contains("firstName"))
        {
            var column = mapping.Single(m => m.Value == FullName).Key;
            if (mapped.Contains("lastName"))
            {
                mapping.Remove(column);
            }
            else
            {
                mapping[column] = "lastName";
            }
        }
        return mapping;
    }

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
        var (firstName, lastName) = (Text("firstName"), Text("lastName"));
        if (Text(FullName) is { } fullName && firstName is null && lastName is null)
        {
            (firstName, lastName) = SplitName(fullName);
        }
        var emails = List(Text("emails"))?.Select((address, i) => (EmailInput?)new EmailInput(address, null, i == 0)).ToList();
        var phones = List(Text("phones"))?.Select((number, i) => (PhoneInput?)new PhoneInput(number, null, i == 0)).ToList();
        var phone = Text("phone");
        if (Text("mobile") is { } mobile)
        {
            // A second column of numbers: the list then, the work number first and primary when there is one.
            phones ??= phone is null ? [] : [new PhoneInput(phone, null, true)];
            phones.Add(new PhoneInput(mobile, "mobile", phones.Count == 0));
            phone = null;
        }
        var street = Text("houseNumber") is { } number && Text("street") is { } name ? $"{name.Trim()} {number.Trim()}" : Text("street");
        AddressInput?[]? addresses = new[] { "street", "city", "postalCode", "region", "country" }.Any(fields.ContainsKey)
            ? [new AddressInput(Text("addressType"), street, Text("city"), Text("postalCode"), Text("region"),
                Text("country") is { } country && Countries.CodeOfName(country) is { } code ? code : Text("country"))]
            : null;
        var preferences = new[] { "preferredChannel", "doNotCall", "doNotEmail" }.Any(fields.ContainsKey)
            ? new CommunicationPreferencesInput(Text("preferredChannel"), Flag(Text("doNotCall")), Flag(Text("doNotEmail")))
            : null;
        var custom = fields.Where(f => f.Key.StartsWith(CustomPrefix, StringComparison.Ordinal))
            .ToDictionary(f => f.Key[CustomPrefix.Length..], f => CustomValue(f.Value, customFields.FirstOrDefault(d => d.Key == f.Key[CustomPrefix.Length..])));

        return new PersonRequest(firstName, lastName, Text("email"), emails, phone, phones, Text("phoneRegion"),
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

    /// <summary><c>Müller, Jürgen</c> or <c>Jürgen Müller</c> (the last word is the last name); one word is a last name.</summary>
    private static (string? First, string? Last) SplitName(string fullName)
    {
        if (fullName.Split(',', 2, StringSplitOptions.TrimEntries) is [var last, var first] && last.Length > 0)
        {
            return (first.Length > 0 ? first : null, last);
        }
        var words = fullName.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return words.Length switch
        {
            0 => (null, null),
            1 => (null, words[0]),
            _ => (string.Join(' ', words[..^1]), words[^1]),
        };
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
