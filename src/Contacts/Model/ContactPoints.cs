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

/// <summary>One of a person's phone numbers, in E.164 (<c>+4930123456</c>).</summary>
public sealed record PhoneNumber(string Number, ContactPointType Type, bool Primary);

public enum AddressType
{
    Work,
    Home,
    Billing,
    Shipping,
    Other,
}

/// <summary>A postal address; <see cref="Country"/> is an ISO 3166-1 alpha-2 code.</summary>
public sealed record PostalAddress(AddressType Type, string? Street, string? City, string? PostalCode, string? Region, string Country)
{
    public const int StreetMaxLength = 300;
    public const int PartMaxLength = 100;
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
