namespace CrmPlatform.Contracts.Contacts.V1;

// Parts of the person and organization snapshots. Kinds (work, home, …) travel as the API writes them, in kebab case.

/// <summary>An email address, lower-cased; exactly one of a person's addresses is primary.</summary>
public sealed record ContactEmail(string Address, string Type, bool Primary);

/// <summary>A phone number in E.164 (<c>+4930123456</c>); when a person has any, exactly one is primary.</summary>
public sealed record ContactPhone(string Number, string Type, bool Primary);

/// <summary>A postal address; <c>Country</c> is an ISO 3166-1 alpha-2 code, null when the address does not say (a partial address).</summary>
public sealed record ContactAddress(string Type, string? Street, string? City, string? PostalCode, string? Region, string? Country);
