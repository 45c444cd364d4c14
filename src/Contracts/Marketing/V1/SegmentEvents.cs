namespace CrmPlatform.Contracts.Marketing.V1;

/// <summary>The changes <see cref="SegmentMembershipChanged.Change"/> names.</summary>
public static class SegmentMembershipChanges
{
    public const string Entered = "entered";
    public const string Left = "left";
}

/// <summary>
/// A person entered or left one of the tenant's segments: a dynamic segment's rules started or stopped matching them
/// (their contact data or behaviour changed, or the segment's rules did), or they were added to or removed from a static
/// list. <see cref="IIntegrationEvent.AggregateId"/> is the membership, one per stay of a person in a segment:
/// <see cref="IIntegrationEvent.Version"/> 1 is its entry, 2 its end; a later re-entry is a new membership.
/// </summary>
/// <param name="SegmentId">Marketing's segment.</param>
/// <param name="PersonId">A person from Contacts.</param>
/// <param name="Change"><c>entered</c> or <c>left</c> (<see cref="SegmentMembershipChanges"/>).</param>
/// <param name="ChangedAt">When the person entered or left.</param>
public sealed record SegmentMembershipChanged(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version,
    Guid SegmentId, Guid PersonId, string Change, DateTime ChangedAt) : IIntegrationEvent;
