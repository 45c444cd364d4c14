using System.Text.Json;
using CrmPlatform.Contacts.Model;

namespace CrmPlatform.Contacts.Apis;

/// <summary>A person as the API shows it; <c>email</c> and <c>phone</c> are the primaries of <c>emails</c> and <c>phones</c>.</summary>
public sealed record PersonResponse(
    Guid Id,
    string FirstName,
    string LastName,
    string Email,
    string? Phone,
    IReadOnlyList<EmailAddress> Emails,
    IReadOnlyList<PhoneNumber> Phones,
    IReadOnlyList<PostalAddress> Addresses,
    string? JobTitle,
    string? Language,
    CommunicationPreferences CommunicationPreferences,
    IReadOnlyList<string> Tags,
    Guid? OrganizationId,
    string? Segment,
    string? Industry,
    Rating? Rating,
    LifecycleStage? LifecycleStage,
    JsonElement CustomFields,
    string? OwnerId,
    DateTime CreatedAt,
    string? CreatedBy,
    DateTime UpdatedAt,
    string? UpdatedBy,
    int Version)
{
    public static PersonResponse From(Person p) => new(
        p.Id, p.FirstName, p.LastName, p.Email, p.Phone, p.Emails, p.Phones, p.Addresses, p.JobTitle, p.Language,
        p.CommunicationPreferences, p.Tags, p.OrganizationId,
        p.Segment, p.Industry, p.Rating, p.LifecycleStage, p.CustomFields.RootElement.Clone(), p.OwnerId, p.CreatedAt, p.CreatedBy, p.UpdatedAt, p.UpdatedBy, p.Version)
    {
        ProcessingRestrictedAt = p.ProcessingRestrictedAt,
        DirectMarketingObjectionAt = p.DirectMarketingObjectionAt,
        ErasedAt = p.ErasedAt,
    };

    /// <summary>Since when processing is restricted (GDPR Art. 18), set through <c>/api/v1/gdpr/requests</c>.</summary>
    public DateTime? ProcessingRestrictedAt { get; init; }

    /// <summary>Since when the person objects to direct marketing (GDPR Art. 21).</summary>
    public DateTime? DirectMarketingObjectionAt { get; init; }

    /// <summary>When the person's data was erased; the record holds placeholders since.</summary>
    public DateTime? ErasedAt { get; init; }
}
