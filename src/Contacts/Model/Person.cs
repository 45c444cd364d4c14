using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Contacts.Model;

public sealed partial class Person : CustomerRecord
{
    public const int NameMaxLength = 100;
    public const int EmailMaxLength = EmailAddress.MaxLength;
    public const int PhoneMaxLength = 40;
    public const int MaxEmails = 20;
    public const int MaxPhones = 20;
    public const int MaxAddresses = 10;

    public string FirstName { get; set; } = "";
    public string LastName { get; set; } = "";

    /// <summary>The primary address, kept in a column of its own for sorting and for clients that know one email only.</summary>
    public string Email { get; private set; } = "";
    /// <summary>The primary address as the <c>email</c> filter and sort compare it (addresses are stored lower-cased).</summary>
    public string NormalizedEmail { get; private set; } = "";
    /// <summary>Every address, the primary first. No address belongs to two people of a tenant (see <see cref="PersonEmail"/>).</summary>
    public IReadOnlyList<EmailAddress> Emails { get; private set; } = [];

    /// <summary>The primary number, if any.</summary>
    public string? Phone { get; private set; }
    public IReadOnlyList<PhoneNumber> Phones { get; private set; } = [];

    public IReadOnlyList<PostalAddress> Addresses { get; set; } = [];
    public string? JobTitle { get; set; }
    /// <summary>A BCP 47 tag (<see cref="LanguageTag"/>).</summary>
    public string? Language { get; set; }

    public ContactChannel? PreferredChannel { get; private set; }
    public bool DoNotCall { get; private set; }
    public bool DoNotEmail { get; private set; }

    public Guid? OrganizationId { get; set; }

    /// <summary>The tenant-wide index of this person's addresses; never loaded, only queried (the email filter).</summary>
    public ICollection<PersonEmail> EmailIndex { get; private set; } = [];

    public string DisplayName => $"{FirstName} {LastName}".Trim();

    public CommunicationPreferences CommunicationPreferences => new(PreferredChannel, DoNotCall, DoNotEmail);

    /// <summary>A person has at least one email address; exactly one is primary.</summary>
    public void SetEmails(IReadOnlyList<EmailAddress> emails)
    {
        if (emails.Count == 0)
        {
            throw new ArgumentException("A person needs at least one email address.", nameof(emails));
        }
        Emails = PrimaryFirst.Order(emails, e => e.Primary, "email address");
        Email = Emails[0].Address;
        NormalizedEmail = EmailAddress.Normalize(Email);
    }

    public void SetPhones(IReadOnlyList<PhoneNumber> phones)
    {
        Phones = PrimaryFirst.Order(phones, p => p.Primary, "phone number");
        Phone = Phones.Count > 0 ? Phones[0].Number : null;
    }

    /// <summary>Call after the phones and addresses are set: the preferences are checked against them.</summary>
    public void SetCommunicationPreferences(CommunicationPreferences preferences)
    {
        if (preferences.Contradiction(hasPhone: Phones.Count > 0, hasAddress: Addresses.Count > 0) is { } contradiction)
        {
            throw new ArgumentException(contradiction, nameof(preferences));
        }
        (PreferredChannel, DoNotCall, DoNotEmail) = (preferences.PreferredChannel, preferences.DoNotCall, preferences.DoNotEmail);
    }

    public static string NormalizeEmail(string email) => EmailAddress.Normalize(email);

    public PersonSnapshot ToSnapshot() => new(FirstName, LastName, Email, Phone, JobTitle, OrganizationId)
    {
        Emails = [.. Emails.Select(e => new ContactEmail(e.Address, KindNames.Of(e.Type), e.Primary))],
        Phones = [.. Phones.Select(p => new ContactPhone(p.Number, KindNames.Of(p.Type), p.Primary))],
        Addresses = [.. Addresses.Select(a => new ContactAddress(KindNames.Of(a.Type), a.Street, a.City, a.PostalCode, a.Region, a.Country))],
        Language = Language,
        PreferredChannel = PreferredChannel is { } channel ? KindNames.Of(channel) : null,
        DoNotCall = DoNotCall,
        DoNotEmail = DoNotEmail,
        Tags = Tags,
        OwnerId = OwnerId,
        Segment = Segment,
        Industry = Industry,
        Rating = Rating is { } rating ? KindNames.Of(rating) : null,
        LifecycleStage = LifecycleStage is { } stage ? KindNames.Of(stage) : null,
        CustomFields = CustomFieldValues.ToDictionary(CustomFields),
        ProcessingRestricted = ProcessingRestrictedAt is not null,
        ObjectsToDirectMarketing = DirectMarketingObjectionAt is not null,
        Erased = ErasedAt is not null,
    };

    // Events carry the version the save is about to write, so the entity must be stamped first.
    public PersonCreated Created() => new(Guid.CreateVersion7(), UpdatedAt, TenantId, Id, Version, ToSnapshot());
    public PersonUpdated Updated() => new(Guid.CreateVersion7(), UpdatedAt, TenantId, Id, Version, ToSnapshot());
    public PersonDeleted Deleted(DateTime now) => new(Guid.CreateVersion7(), now, TenantId, Id, Version);
}

/// <summary>
/// One email address in use in a tenant and the person it belongs to: the primary key (tenant, address) is what makes
/// an address belong to one person only, whichever of their addresses it is. Written by a database trigger on
/// <c>people.emails</c> (see the migration <c>PeopleContactDetails</c>), so no write path can forget it; the
/// service only reads it.
/// </summary>
public sealed class PersonEmail : ITenantOwned
{
    public Guid TenantId { get; set; }
    public string Address { get; private set; } = "";
    public Guid PersonId { get; private set; }
}
