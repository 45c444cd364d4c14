namespace CrmPlatform.Contacts.Model;

/// <summary>What an email address or a phone number is used for.</summary>
public enum ContactPointType
{
    Work,
    Home,
    Mobile,
    Other,
}

/// <summary>One of a person's email addresses, trimmed and lower-cased.</summary>
public sealed record EmailAddress(string Address, ContactPointType Type, bool Primary)
{
    public const int MaxLength = 320;

    public static string Normalize(string address) => address.Trim().ToLowerInvariant();
}

/// <summary>
/// One of a person's phone numbers, in E.164 (<c>+4930123456</c>). <see cref="AssumedCountry"/> is the tenant's (or
/// the import's) default country when the number was written without a country code and nothing else on the record
/// said where it is: the number is only as right as that assumption.
/// </summary>
public sealed record PhoneNumber(string Number, ContactPointType Type, bool Primary)
{
    public string? AssumedCountry { get; init; }
}

public enum AddressType
{
    Work,
    Home,
    Billing,
    Shipping,
    Other,
}

/// <summary>
/// A postal address; <see cref="Country"/> is an ISO 3166-1 alpha-2 code. Partial addresses are kept as given (a city
/// alone is the normal case in address lists): <see cref="Missing"/> names the parts a letter would still need and
/// <see cref="Incomplete"/> says there are some. <see cref="Assumed"/> names the parts that were not given but filled
/// in from a default (<c>country</c>, from the tenant's or the import's default country).
/// </summary>
public sealed record PostalAddress(AddressType Type, string? Street, string? City, string? PostalCode, string? Region, string? Country)
{
    public const int StreetMaxLength = 300;
    public const int PartMaxLength = 100;
    public const string AssumedCountry = "country";

    public IReadOnlyList<string> Assumed { get; init; } = [];

    /// <summary>Derived, so it is always true to the parts (written to JSON, never read back).</summary>
    public IReadOnlyList<string> Missing =>
    [
        .. Street is null ? ["street"] : Array.Empty<string>(),
        .. PostalCode is null ? ["postalCode"] : Array.Empty<string>(),
        .. City is null ? ["city"] : Array.Empty<string>(),
        .. Country is null ? ["country"] : Array.Empty<string>(),
    ];

    public bool Incomplete => Street is null || PostalCode is null || City is null || Country is null;

    // A list compares by reference: by its items, so an unchanged address stays unchanged (no update, no event).
    public bool Equals(PostalAddress? other) =>
        other is not null && (Type, Street, City, PostalCode, Region, Country) == (other.Type, other.Street, other.City, other.PostalCode, other.Region, other.Country)
        && Assumed.SequenceEqual(other.Assumed);

    public override int GetHashCode() => HashCode.Combine(Type, Street, City, PostalCode, Region, Country, string.Join(',', Assumed));
}

/// <summary>
/// Lists of contact points in which, as soon as there is one, exactly one is primary, and it comes first: the primary
/// is what single-value views (the <c>email</c> and <c>phone</c> fields, the events' and replicas' email) show.
/// </summary>
internal static class PrimaryFirst
{
    public static IReadOnlyList<T> Order<T>(IReadOnlyList<T> items, Func<T, bool> isPrimary, string what)
    {
        var primaries = items.Count(isPrimary);
        if (items.Count > 0 && primaries != 1)
        {
            throw new ArgumentException($"Exactly one {what} must be primary; {primaries} are.", nameof(items));
        }
        return [.. items.Where(isPrimary), .. items.Where(item => !isPrimary(item))];
    }
}
