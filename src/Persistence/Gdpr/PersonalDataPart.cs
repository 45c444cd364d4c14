using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Persistence.Gdpr;

/// <summary>
/// One kind of personal data a service keeps about a person (a replica, its opportunities, its own records): how to
/// export it for an access request and how to anonymize it for an erasure. Each service registers the parts it holds
/// (<see cref="GdprExtensions"/>); a service that starts keeping new personal data adds a part for it.
/// </summary>
public interface IPersonalDataPart<in TDbContext> where TDbContext : TenantDbContext
{
    /// <summary>The key of this part in the service's export and in its erasure counts (camelCase).</summary>
    string Name { get; }

    /// <summary>What the service holds about the person, as JSON-serializable data; null or empty when nothing.</summary>
    Task<object?> CollectAsync(TDbContext db, Guid personId, CancellationToken cancellationToken);

    /// <summary>
    /// Records of this part that belong to the person and are audited under their own id (an opportunity, a role at an
    /// organization): their audit entries are exported and redacted with the person's.
    /// </summary>
    Task<IReadOnlyCollection<Guid>> AuditedIdsAsync(TDbContext db, Guid personId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyCollection<Guid>>([]);

    /// <summary>
    /// Anonymizes what the part holds (tracked changes, saved by the caller, or SQL in the caller's transaction); returns
    /// how many records it anonymized or removed.
    /// </summary>
    Task<int> EraseAsync(TDbContext db, Guid personId, DateTime now, CancellationToken cancellationToken);
}
