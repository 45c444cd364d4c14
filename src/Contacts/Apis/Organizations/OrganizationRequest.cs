using System.Text.Json;
using CrmPlatform.Contacts.Model;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Contacts.Apis;

/// <summary>An organization as clients send it (POST and PUT replace every field; <c>ownerId</c> left out keeps the owner).</summary>
public sealed record OrganizationRequest(
    string? Name,
    string? Domain,
    string? Industry,
    string? Size,
    IReadOnlyList<AddressInput?>? Addresses,
    IReadOnlyList<string?>? Tags,
    string? OwnerId,
    Guid? ParentOrganizationId,
    string? Segment,
    string? Rating,
    string? LifecycleStage,
    IReadOnlyDictionary<string, JsonElement>? CustomFields)
{
    /// <summary>The request checked and normalized (custom fields against the tenant's definitions), or null with the field errors.</summary>
    public OrganizationValues? Read(IReadOnlyCollection<CustomFieldDefinition> customFields, string? defaultCountry, out FieldErrors errors)
    {
        errors = new FieldErrors()
            .Required("name", Name, Organization.NameMaxLength)
            .MaxLength("domain", Domain, Organization.DomainMaxLength)
            .When(Domain is not null && Uri.CheckHostName(Domain.Trim()) != UriHostNameType.Dns, "domain", "domain must be a host name such as example.com.")
            .MaxLength("industry", Industry, Organization.NameMaxLength);
        var classification = ContactDetailsInput.Classification(errors, Segment, industry: null, Rating, LifecycleStage) with
        {
            Industry = ContactDetailsInput.Trimmed(Industry),
        };
        var size = ContactDetailsInput.Kind<EmployeeBand>(errors, "size", Size);
        var addresses = ContactDetailsInput.Addresses(errors, Addresses, Organization.MaxAddresses, defaultCountry);
        var tags = ContactDetailsInput.TagList(errors, Tags);
        var ownerId = ContactDetailsInput.OwnerId(errors, OwnerId);
        var fieldErrors = errors;
        var custom = CustomFieldValues.Read(CustomFields, customFields, "organizations", (field, message) => fieldErrors.Add(field, message));
        return errors.IsValid
            ? new OrganizationValues(Name!.Trim(), Domain?.Trim().ToLowerInvariant(), classification, size, addresses, tags,
                ownerId, ParentOrganizationId, custom)
            : null;
    }
}

/// <summary>An organization's fields after <see cref="OrganizationRequest.Read"/>: valid and normalized.</summary>
public sealed record OrganizationValues(
    string Name,
    string? Domain,
    Classification Classification,
    EmployeeBand? Size,
    IReadOnlyList<PostalAddress> Addresses,
    string[] Tags,
    string? OwnerId,
    Guid? ParentOrganizationId,
    JsonDocument CustomFields)
{
    public void ApplyTo(Organization organization)
    {
        organization.Name = Name;
        organization.Domain = Domain;
        organization.Classification = Classification;
        organization.Size = Size;
        organization.Addresses = Addresses;
        organization.Tags = Tags;
        organization.ParentOrganizationId = ParentOrganizationId;
        organization.SetCustomFields(CustomFields);
        if (OwnerId is not null)
        {
            organization.OwnerId = OwnerId;
        }
    }
}
