using CrmPlatform.Contacts.Model;

namespace CrmPlatform.Contacts.Merging;

/// <summary>What a person or organization merge may choose per field (see <see cref="MergeFields{TRecord}"/>).</summary>
internal static class RecordMergeFields
{
    public static readonly MergeFields<Person> Person = Classified<Person>()
        .Field("firstName", p => p.FirstName, (to, from) => to.FirstName = from.FirstName)
        .Field("lastName", p => p.LastName, (to, from) => to.LastName = from.LastName)
        .Field("jobTitle", p => p.JobTitle, (to, from) => to.JobTitle = from.JobTitle)
        .Field("language", p => p.Language, (to, from) => to.Language = from.Language)
        .Field("addresses", p => p.Addresses.Count > 0, (to, from) => to.Addresses = from.Addresses)
        .Field("organizationId", p => p.OrganizationId is not null, (to, from) => to.OrganizationId = from.OrganizationId)
        // Which address and number are primary; every one of them is kept (see PeopleMerge).
        .Field("email", _ => true, (_, _) => { })
        .Field("phone", p => p.Phones.Count > 0, (_, _) => { })
        .Field("communicationPreferences", p => p.CommunicationPreferences != CommunicationPreferences.None, (_, _) => { });

    public static readonly MergeFields<Organization> Organization = Classified<Organization>()
        .Field("name", o => o.Name, (to, from) => to.Name = from.Name)
        .Field("domain", o => o.Domain, (to, from) => to.Domain = from.Domain)
        .Field("size", o => o.Size is not null, (to, from) => to.Size = from.Size)
        .Field("addresses", o => o.Addresses.Count > 0, (to, from) => to.Addresses = from.Addresses)
        .Field("parentOrganizationId", o => o.ParentOrganizationId is not null, (to, from) => to.ParentOrganizationId = from.ParentOrganizationId);

    private static MergeFields<TRecord> Classified<TRecord>() where TRecord : CustomerRecord => new MergeFields<TRecord>()
        .Field("segment", r => r.Segment, (to, from) => to.Segment = from.Segment)
        .Field("industry", r => r.Industry, (to, from) => to.Industry = from.Industry)
        .Field("rating", r => r.Rating is not null, (to, from) => to.Rating = from.Rating)
        .Field("lifecycleStage", r => r.LifecycleStage is not null, (to, from) => to.LifecycleStage = from.LifecycleStage)
        .Field("ownerId", r => r.OwnerId, (to, from) => to.OwnerId = from.OwnerId);
}
