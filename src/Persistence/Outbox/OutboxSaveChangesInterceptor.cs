using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CrmPlatform.Persistence.Outbox;

/// <summary>
/// Signals the dispatcher once a save that added outbox rows has committed: right after the save, or, inside an
/// explicit transaction (whose rows the dispatcher cannot see yet), when that transaction commits.
/// </summary>
internal sealed class OutboxSaveChangesInterceptor(OutboxSignal signal) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private bool _addedEvents;
    private bool _eventsAwaitCommit;

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        _addedEvents = eventData.Context!.ChangeTracker.Entries<OutboxMessage>().Any(e => e.State == EntityState.Added);
        return ValueTask.FromResult(result);
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (_addedEvents)
        {
            if (eventData.Context!.Database.CurrentTransaction is null)
            {
                signal.Notify();
            }
            else
            {
                _eventsAwaitCommit = true;
            }
        }
        _addedEvents = false;
        return ValueTask.FromResult(result);
    }

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionCommitted(transaction, eventData);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (_eventsAwaitCommit)
        {
            signal.Notify();
        }
        _eventsAwaitCommit = false;
    }

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionRolledBack(transaction, eventData);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => _eventsAwaitCommit = false;
}
