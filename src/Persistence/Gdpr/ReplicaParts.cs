using CrmPlatform.Persistence.Consents;
using CrmPlatform.Persistence.ContactDirectory;
using CrmPlatform.Persistence.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Persistence.Gdpr;

/// <summary>The person's entry in a service's contact directory: exported as kept, erased to a placeholder.</summary>
public sealed class ContactDirectoryPart<TDbContext> : IPersonalDataPart<TDbContext>
    where TDbContext : TenantDbContext, IContactDirectoryDbContext
{
    public const string ErasedName = "[erased]";

    public string Name => "contactDirectory";

    public async Task<object?> CollectAsync(TDbContext db, Guid personId, CancellationToken cancellationToken) =>
        await db.DirectoryContacts.AsNoTracking().Where(c => c.Id == personId)
            .Select(c => new
            {
                c.Id, Kind = c.Kind.ToString(), c.DisplayName, c.Email, c.OrganizationId, c.ProcessingRestricted,
                c.ObjectsToDirectMarketing, c.IsDeleted, c.Version, c.UpdatedAt,
            })
            .SingleOrDefaultAsync(cancellationToken);

    /// <summary>
    /// Keeps the row (and its version, so a late, older event cannot bring the old name back) with placeholders. A newer
    /// event from Contacts carries the erased person's placeholders anyway.
    /// </summary>
    public async Task<int> EraseAsync(TDbContext db, Guid personId, DateTime now, CancellationToken cancellationToken)
    {
        var contact = await db.DirectoryContacts.SingleOrDefaultAsync(c => c.Id == personId, cancellationToken);
        if (contact is null)
        {
            return 0;
        }
        contact.DisplayName = ErasedName;
        contact.Email = null;
        contact.OrganizationId = null;
        contact.UpdatedAt = now;
        return 1;
    }
}

/// <summary>
/// The person's consents as a service's replica keeps them: state only (purpose, channel, status, window). Erasure
/// keeps them: they hold nothing but the person's id and the withdrawal that stops anyone contacting them, which
/// Contacts publishes as part of the erasure.
/// </summary>
public sealed class ConsentReplicaPart<TDbContext> : IPersonalDataPart<TDbContext>
    where TDbContext : TenantDbContext, IConsentReplicaDbContext
{
    public string Name => "consents";

    public async Task<object?> CollectAsync(TDbContext db, Guid personId, CancellationToken cancellationToken) =>
        await db.ConsentReplicas.AsNoTracking().Where(c => c.PersonId == personId)
            .OrderBy(c => c.Purpose).ThenBy(c => c.Channel)
            .Select(c => new { c.Purpose, c.Channel, c.Status, c.ValidFrom, c.ValidUntil, c.ChangedAt })
            .ToListAsync(cancellationToken);

    public Task<int> EraseAsync(TDbContext db, Guid personId, DateTime now, CancellationToken cancellationToken) => Task.FromResult(0);
}
