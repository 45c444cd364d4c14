namespace CrmPlatform.Contracts.Contacts.V1;

/// <summary>The kinds of record a merge joins, as <see cref="ContactsMerged.Kind"/> carries them.</summary>
public static class MergeKinds
{
    public const string Person = "person";
    public const string Organization = "organization";
}

/// <summary>
/// Records were merged into one: the <paramref name="MergedIds"/> no longer exist (each also gets its
/// <c>PersonDeleted</c>/<c>OrganizationDeleted</c>, and the survivor a <c>…Updated</c>, in the same commit), and
/// everything a subscriber keeps about them belongs to <paramref name="SurvivorId"/> from now on.
/// <see cref="IIntegrationEvent.AggregateId"/> is the survivor and <see cref="IIntegrationEvent.Version"/> its version
/// after the merge. <paramref name="MergeId"/> names the merge, which <see cref="ContactsUnmerged"/> reverses.
/// </summary>
/// <param name="Kind"><see cref="MergeKinds.Person"/> or <see cref="MergeKinds.Organization"/>.</param>
public sealed record ContactsMerged(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version,
    Guid MergeId, string Kind, Guid SurvivorId, IReadOnlyList<Guid> MergedIds) : IIntegrationEvent;

/// <summary>
/// A merge was undone: the <paramref name="RestoredIds"/> exist again (each with a <c>…Created</c> event carrying its
/// restored state, and the survivor a <c>…Updated</c> with its state from before the merge, in the same commit).
/// Subscribers move back what they re-pointed for <paramref name="MergeId"/>.
/// </summary>
public sealed record ContactsUnmerged(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version,
    Guid MergeId, string Kind, Guid SurvivorId, IReadOnlyList<Guid> RestoredIds) : IIntegrationEvent;
