using CrmPlatform.Persistence.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Persistence.Inbox;

public static class InboxExtensions
{
    /// <summary>
    /// Applies a message exactly once per consumer: the inbox row and the changes made by <paramref name="apply"/> commit
    /// in one transaction, so a redelivery after a crash either finds the row (and is skipped) or finds nothing applied.
    /// </summary>
    /// <returns>false when the message had already been processed.</returns>
    public static async Task<bool> ProcessOnceAsync(
        this TenantDbContext db, Guid messageId, string consumer, Func<Task> apply, CancellationToken cancellationToken)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var inserted = await db.Database.ExecuteSqlAsync(
                $"INSERT INTO inbox_messages (message_id, consumer, tenant_id, processed_at) VALUES ({messageId}, {consumer}, {db.CurrentTenantId}, now()) ON CONFLICT DO NOTHING",
                cancellationToken);
            if (inserted == 0)
            {
                return false;
            }

            await apply();
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return true;
        });
    }
}
