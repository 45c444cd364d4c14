using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Persistence;

public static class AdvisoryLocks
{
    /// <summary>
    /// Waits for the PostgreSQL advisory lock named <paramref name="key"/> and holds it until the current transaction
    /// ends: serializes the writers of one thing where there is no row to lock yet (a tenant's first default pipeline,
    /// the next quote number, a person's events against their erasure).
    /// </summary>
    public static Task LockForTransactionAsync(this DbContext db, string key, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({key}, 0))", cancellationToken);
}
