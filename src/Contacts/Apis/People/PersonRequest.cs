using System.Text.Json;
using CrmPlatform.Contacts.Model;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Contacts.Apis;

public sealed record CommunicationPreferencesInput(string? PreferredChannel, bool? DoNotCall, bool? DoNotEmail);

/// <summary>
/// A person as clients send it (POST and PUT replace every field). <c>email</c> and <c>phone</c> are shorthands for a
/// one-entry <c>emails</c> / <c>phones</c> list, so clients written before the lists keep working; when a list is sent,
/// its shorthand may be left out or must name the list's primary. <c>phoneRegion</c> is the country numbers without a
/// country code are read in (default: the first address's country, else the tenant's default country, marked as
/// assumed on the number). <c>ownerId</c> left out keeps the owner (on
/// create: the caller).
/// </summary>
public sealed record PersonRequest(
    string? FirstName,
    string? LastName,
    string? Email,
    IReadOnlyList<EmailInput?>? Emails,
    string? Phone,
    IReadOnlyList<PhoneInput?>? Phones,
    string? PhoneRegion,
    IReadOnlyList<AddressInput?>? Addresses,
    string? JobTitle,
    string? Language,
    CommunicationPreferencesInput? CommunicationPreferences,
    IReadOnlyList<string?>? Tags,
    string? OwnerId,
    Guid? OrganizationId,
    string? Segment,
    string? Industry,
    string? Rating,
    string? LifecycleStage,
    IReadOnlyDictionary<string, JsonElement>? CustomFields)
{
    /// <summary>
    /// The request checked and normalized (custom fields against the tenant's definitions), or null with the field
    /// errors. <paramref name="defaultCountry"/> (the tenant's, see <c>ContactSettings</c>) fills in what addresses and
    /// phone numbers leave out, marked as assumed.
    /// </summary>
    public PersonValues? Read(IReadOnlyCollection<CustomFieldDefinition> customFields, string? defaultCountry, out FieldErrors errors)
    {
        errors = new FieldErrors()
            .Required("firstName", FirstName, Person.NameMaxLength)
            .Required("lastName", LastName, Person.NameMaxLength)
            .MaxLength("jobTitle", JobTitle, Person.NameMaxLength);
        var emails = ContactDetailsInput.Emails(errors, Emails, Email);
        var addresses = ContactDetailsInput.Addresses(errors, Addresses, Person.MaxAddresses, defaultCountry);
        var region = ContactDetailsInput.PhoneRegion(errors, PhoneRegion, addresses, defaultCountry);
        var phones = ContactDetailsInput.Phones(errors, Phones, Phone, region);
        var language = ContactDetailsInput.Language(errors, Language);
        var tags = ContactDetailsInput.TagList(errors, Tags);
        var ownerId = ContactDetailsInput.OwnerId(errors, OwnerId);
        var classification = ContactDetailsInput.Classification(errors, Segment, Industry, Rating, LifecycleStage);
        var fieldErrors = errors;
        var custom = CustomFieldValues.Read(CustomFields, customFields, "people", (field, message) => fieldErrors.Add(field, message));

        var preferences = Model.CommunicationPreferences.None;
        if (CommunicationPreferences is { } input)
        {
            var channel = ContactDetailsInput.Kind<ContactChannel>(errors, "communicationPreferences.preferredChannel", input.PreferredChannel);
            preferences = new Model.CommunicationPreferences(channel, input.DoNotCall ?? false, input.DoNotEmail ?? false);
            if (preferences.Contradiction(hasPhone: phones.Count > 0, hasAddress: addresses.Count > 0) is { } contradiction)
            {
                errors.Add("communicationPreferences.preferredChannel", contradiction);
            }
        }

        return errors.IsValid
            ? new PersonValues(FirstName!.Trim(), LastName!.Trim(), emails, phones, addresses, ContactDetailsInput.Trimmed(JobTitle),
                language, preferences, tags, ownerId, OrganizationId, classification, custom)
            : null;
    }
}

/// <summary>A person's fields after <see cref="PersonRequest.Read"/>: valid and normalized.</summary>
public sealed record PersonValues(
    string FirstName,
    string LastName,
    IReadOnlyList<EmailAddress> Emails,
    IReadOnlyList<PhoneNumber> Phones,
    IReadOnlyList<PostalAddress> Addresses,
    string? JobTitle,
    string? Language,
    CommunicationPreferences CommunicationPreferences,
    string[] Tags,
    string? OwnerId,
    Guid? OrganizationId,
    Classification Classification,
    JsonDocument CustomFields)
{
    public void ApplyTo(Person person)
    {
        person.FirstName = FirstName;
        person.LastName = LastName;
        person.SetEmails(Emails);
        person.SetPhones(Phones);
        person.Addresses = Addresses;
        person.JobTitle = JobTitle;
        person.Language = Language;
        person.SetCommunicationPreferences(CommunicationPreferences);
        person.Tags = Tags;
        person.OrganizationId = OrganizationId;
        person.Classification = Classification;
        person.SetCustomFields(CustomFields);
        if (OwnerId is not null)
        {
            person.OwnerId = OwnerId;
        }
    }
}
