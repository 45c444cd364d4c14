namespace CrmPlatform.Contacts.Model;

/// <summary>What the person asked under the GDPR, kept on the person (its history is the person's audit log).</summary>
public sealed partial class Person
{
    /// <summary>Since when processing is restricted (Art. 18); null when it is not.</summary>
    public DateTime? ProcessingRestrictedAt { get; private set; }

    /// <summary>Since when the person objects to direct marketing (Art. 21(2)); null when they do not.</summary>
    public DateTime? DirectMarketingObjectionAt { get; private set; }

    /// <summary>When the person's data was erased (Art. 17 or a retention policy); the record holds placeholders since.</summary>
    public DateTime? ErasedAt { get; private set; }

    public const string ErasedName = "[erased]";

    public static string ErasedEmail(Guid id) => $"erased-{id:N}@erased.invalid";

    public void RestrictProcessing(bool restricted, DateTime now) =>
        ProcessingRestrictedAt = restricted ? ProcessingRestrictedAt ?? now : null;

    public void ObjectToDirectMarketing(bool objects, DateTime now) =>
        DirectMarketingObjectionAt = objects ? DirectMarketingObjectionAt ?? now : null;

    /// <summary>
    /// Replaces everything that describes the person with placeholders. The record stays (its id is what other records
    /// and services refer to, and the erasure itself is shown on it); an address is kept because a person has one, and
    /// it is unique per record so it collides with nobody.
    /// </summary>
    public void Erase(DateTime now)
    {
        FirstName = ErasedName;
        LastName = ErasedName;
        SetEmails([new EmailAddress(ErasedEmail(Id), ContactPointType.Other, Primary: true)]);
        SetPhones([]);
        Addresses = [];
        JobTitle = null;
        Language = null;
        SetCommunicationPreferences(CommunicationPreferences.None);
        OrganizationId = null;
        Tags = [];
        Classification = new Classification(null, null, null, null);
        SetCustomFields(CustomFieldValues.Empty);
        ErasedAt ??= now;
    }
}
