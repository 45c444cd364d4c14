using CrmPlatform.Contacts.Model;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Contacts.Apis;

public sealed record EmailInput(string? Address, string? Type, bool? Primary);

public sealed record PhoneInput(string? Number, string? Type, bool? Primary);

public sealed record AddressInput(string? Type, string? Street, string? City, string? PostalCode, string? Region, string? Country);

/// <summary>The country phone numbers without a country code are read in, and whether it is only a default.</summary>
internal sealed record PhoneRegionOf(string? Region, bool Assumed);

/// <summary>
/// Reads the contact details people and organizations share (emails, phones, addresses, tags, kinds) from a request,
/// normalizing them and adding a field error, named by its JSON path (<c>emails[1].address</c>), for anything invalid.
/// </summary>
internal static class ContactDetailsInput
{
    /// <summary>An enum written as the API writes it (<c>former-customer</c>); null (and an error) for anything else.</summary>
    public static TEnum? Kind<TEnum>(FieldErrors errors, string field, string? value, TEnum? fallback = null) where TEnum : struct, Enum
    {
        if (value is null)
        {
            return fallback;
        }
        if (KindNames.TryParse<TEnum>(value, out var kind))
        {
            return kind;
        }
        errors.Add(field, $"{field} must be one of {string.Join(", ", KindNames.All<TEnum>())}.");
        return null;
    }

    /// <summary>
    /// <c>emails</c>, or the single <c>email</c> of clients that know one address only. At least one address; with
    /// several, exactly one is marked primary. When both are sent, <c>email</c> must be the primary of <c>emails</c>.
    /// </summary>
    public static List<EmailAddress> Emails(FieldErrors errors, IReadOnlyList<EmailInput?>? emails, string? email)
    {
        if (emails is null)
        {
            errors.Required("email", email, EmailAddress.MaxLength).Email("email", email);
            return email is null ? [] : [new EmailAddress(EmailAddress.Normalize(email), ContactPointType.Work, Primary: true)];
        }

        var result = new List<EmailAddress>();
        if (emails.Count is 0 or > Person.MaxEmails)
        {
            errors.Add("emails", $"A person has 1 to {Person.MaxEmails} email addresses.");
            return result;
        }
        var primaries = PrimaryFlags(errors, "emails", emails.Select(e => e?.Primary).ToList());
        for (var i = 0; i < emails.Count; i++)
        {
            var field = $"emails[{i}]";
            if (emails[i] is not { } input)
            {
                errors.Add(field, $"{field} must be an object with an address.");
                continue;
            }
            errors.Required($"{field}.address", input.Address, EmailAddress.MaxLength).Email($"{field}.address", input.Address);
            var type = Kind<ContactPointType>(errors, $"{field}.type", input.Type, ContactPointType.Work);
            if (input.Address is null || type is null)
            {
                continue;
            }
            var address = EmailAddress.Normalize(input.Address);
            if (result.FindIndex(e => e.Address == address) is var first and >= 0)
            {
                errors.Add($"{field}.address", $"{address} is listed twice (also emails[{first}]).");
            }
            result.Add(new EmailAddress(address, type.Value, primaries[i]));
        }
        if (email is not null && result.Count(e => e.Primary) == 1 && EmailAddress.Normalize(email) != result.Single(e => e.Primary).Address)
        {
            errors.Add("email", "email must be the primary address of emails, or be left out.");
        }
        return result;
    }

    /// <summary>
    /// <c>phones</c>, or the single <c>phone</c> of older clients; numbers are normalized to E.164. A number without a
    /// country code is read in <paramref name="region"/>; without one it is invalid. When the region is only the
    /// default country (<see cref="PhoneRegionOf.Assumed"/>), a number that needed it says so (<c>assumedCountry</c>).
    /// </summary>
    public static List<PhoneNumber> Phones(FieldErrors errors, IReadOnlyList<PhoneInput?>? phones, string? phone, PhoneRegionOf region)
    {
        if (phones is null)
        {
            if (string.IsNullOrWhiteSpace(phone))
            {
                return [];
            }
            return Number(errors, "phone", phone, region) is { } number ? [number with { Type = ContactPointType.Work, Primary = true }] : [];
        }

        var result = new List<PhoneNumber>();
        if (phones.Count > Person.MaxPhones)
        {
            errors.Add("phones", $"A person has at most {Person.MaxPhones} phone numbers.");
            return result;
        }
        var primaries = PrimaryFlags(errors, "phones", phones.Select(p => p?.Primary).ToList());
        for (var i = 0; i < phones.Count; i++)
        {
            var field = $"phones[{i}]";
            if (phones[i] is not { } input)
            {
                errors.Add(field, $"{field} must be an object with a number.");
                continue;
            }
            var type = Kind<ContactPointType>(errors, $"{field}.type", input.Type, ContactPointType.Work);
            if (Number(errors, $"{field}.number", input.Number, region) is not { } number || type is null)
            {
                continue;
            }
            if (result.FindIndex(p => p.Number == number.Number) is var first and >= 0)
            {
                errors.Add($"{field}.number", $"{number.Number} is listed twice (also phones[{first}]).");
            }
            result.Add(number with { Type = type.Value, Primary = primaries[i] });
        }
        if (!string.IsNullOrWhiteSpace(phone) && (phones.Count == 0 || (result.Count(p => p.Primary) == 1
            && (!E164.TryNormalize(phone, region.Region, out var single) || result.Single(p => p.Primary).Number != single))))
        {
            errors.Add("phone", "phone must be the primary number of phones, or be left out.");
        }
        return result;
    }

    private static PhoneNumber? Number(FieldErrors errors, string field, string? input, PhoneRegionOf region)
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            errors.Add(field, $"{field} is required.");
            return null;
        }
        if (input.Trim().Length > Person.PhoneMaxLength || !E164.TryNormalize(input, region.Region, out var number))
        {
            errors.Add(field, region.Region is null
                ? $"{field} is not a valid phone number; write it with its country code (+49 30 1234567) or give phoneRegion."
                : $"{field} is not a valid phone number in {region.Region} or with its country code.");
            return null;
        }
        // Only a number that could not be read without the region depends on it.
        var assumed = region.Assumed && !E164.TryNormalize(input, null, out _) ? region.Region : null;
        return new PhoneNumber(number, ContactPointType.Work, Primary: true) { AssumedCountry = assumed };
    }

    /// <summary>
    /// Which entries are primary: a single entry is, whatever it says; of several, exactly one must be marked.
    /// </summary>
    private static bool[] PrimaryFlags(FieldErrors errors, string field, List<bool?> marked)
    {
        if (marked.Count == 1)
        {
            return [true];
        }
        var flags = marked.Select(m => m == true).ToArray();
        if (marked.Count > 1 && flags.Count(f => f) != 1)
        {
            errors.Add(field, $"Exactly one of {field} must have primary: true.");
        }
        return flags;
    }

    /// <summary>
    /// The region numbers without a country code are read in: the request's <c>phoneRegion</c>, else the country of
    /// the first address (a person in Germany writes German numbers), else the default country, which is then an
    /// assumption (as it is when the first address's country was itself assumed).
    /// </summary>
    public static PhoneRegionOf PhoneRegion(FieldErrors errors, string? phoneRegion, IReadOnlyList<PostalAddress> addresses, string? defaultCountry)
    {
        if (phoneRegion is null)
        {
            if (addresses.Count > 0 && addresses[0].Country is { } country && E164.IsKnownRegion(country))
            {
                return new PhoneRegionOf(country, Assumed: addresses[0].Assumed.Contains(PostalAddress.AssumedCountry));
            }
            return defaultCountry is not null && E164.IsKnownRegion(defaultCountry) ? new PhoneRegionOf(defaultCountry, Assumed: true) : new PhoneRegionOf(null, false);
        }
        if (!E164.IsKnownRegion(phoneRegion.Trim()))
        {
            errors.Add("phoneRegion", "phoneRegion must be an ISO 3166-1 alpha-2 country code with a numbering plan (DE, GB, US).");
            return new PhoneRegionOf(null, false);
        }
        return new PhoneRegionOf(phoneRegion.Trim().ToUpperInvariant(), false);
    }

    /// <summary>
    /// Addresses as given, partial ones included (a city, a postal code and city): what is missing shows on the
    /// address. An address without a country takes <paramref name="defaultCountry"/> (the tenant's or the import's),
    /// marked as assumed; without a default it is kept without one. An address needs a street, city or postal code.
    /// </summary>
    public static List<PostalAddress> Addresses(FieldErrors errors, IReadOnlyList<AddressInput?>? addresses, int max, string? defaultCountry)
    {
        var result = new List<PostalAddress>();
        if (addresses is null)
        {
            return result;
        }
        if (addresses.Count > max)
        {
            errors.Add("addresses", $"At most {max} addresses.");
            return result;
        }
        for (var i = 0; i < addresses.Count; i++)
        {
            var field = $"addresses[{i}]";
            if (addresses[i] is not { } input)
            {
                errors.Add(field, $"{field} must be an object with a country.");
                continue;
            }
            var before = errors.Count;
            var type = Kind<AddressType>(errors, $"{field}.type", input.Type, AddressType.Work);
            errors.MaxLength($"{field}.street", input.Street, PostalAddress.StreetMaxLength)
                .MaxLength($"{field}.city", input.City, PostalAddress.PartMaxLength)
                .MaxLength($"{field}.postalCode", input.PostalCode, PostalAddress.PartMaxLength)
                .MaxLength($"{field}.region", input.Region, PostalAddress.PartMaxLength)
                .When(new[] { input.Street, input.City, input.PostalCode }.All(string.IsNullOrWhiteSpace), field,
                    $"{field} needs a street, city or postal code.");
            string? country = null;
            if (!string.IsNullOrWhiteSpace(input.Country) && !Countries.TryNormalize(input.Country, out country))
            {
                errors.Add($"{field}.country", $"{field}.country must be an ISO 3166-1 alpha-2 code (DE, GB, US).");
            }
            if (errors.Count == before)
            {
                var assumed = country is null && defaultCountry is not null;
                result.Add(new PostalAddress(type!.Value, Trimmed(input.Street), Trimmed(input.City), Trimmed(input.PostalCode), Trimmed(input.Region),
                    assumed ? defaultCountry : country) { Assumed = assumed ? [PostalAddress.AssumedCountry] : [] });
            }
        }
        return result;
    }

    public static string[] TagList(FieldErrors errors, IReadOnlyList<string?>? tags)
    {
        if (tags is null)
        {
            return [];
        }
        for (var i = 0; i < tags.Count; i++)
        {
            var tag = tags[i];
            errors.Required($"tags[{i}]", tag, Tags.MaxLength)
                .When(tag is not null && tag.Any(char.IsControl), $"tags[{i}]", "Tags cannot hold control characters.");
        }
        var normalized = Tags.NormalizeAll(tags.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t!));
        if (normalized.Length > Tags.MaxCount)
        {
            errors.Add("tags", $"At most {Tags.MaxCount} tags.");
        }
        return normalized;
    }

    public static string? Language(FieldErrors errors, string? language)
    {
        if (string.IsNullOrWhiteSpace(language))
        {
            return null;
        }
        if (!LanguageTag.TryNormalize(language, out var tag))
        {
            errors.Add("language", "language must be a BCP 47 language tag such as en, en-GB or pt-BR.");
            return null;
        }
        return tag;
    }

    /// <summary>Who a record is assigned to: a user or API client id as tokens name them (their subject).</summary>
    public static string? OwnerId(FieldErrors errors, string? ownerId)
    {
        errors.When(ownerId is not null && string.IsNullOrWhiteSpace(ownerId), "ownerId", "ownerId cannot be empty; leave it out to keep the owner.")
            .MaxLength("ownerId", ownerId, OwnerIdMaxLength);
        return string.IsNullOrWhiteSpace(ownerId) ? null : ownerId.Trim();
    }

    public const int OwnerIdMaxLength = 200;

    /// <summary>segment, industry, rating and lifecycleStage; text trimmed, kinds by their API names.</summary>
    public static Classification Classification(FieldErrors errors, string? segment, string? industry, string? rating, string? lifecycleStage)
    {
        errors.MaxLength("segment", segment, Model.Classification.TextMaxLength)
            .MaxLength("industry", industry, Model.Classification.TextMaxLength);
        return new Classification(Trimmed(segment), Trimmed(industry),
            Kind<Rating>(errors, "rating", rating), Kind<LifecycleStage>(errors, "lifecycleStage", lifecycleStage));
    }

    public static string? Trimmed(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
