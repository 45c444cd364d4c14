using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CrmPlatform.Persistence.Outbox;

/// <summary>Signals the dispatcher once a save that added outbox rows has committed.</summary>
internal sealed class OutboxSaveChangesInterceptor(OutboxSignal signal) : SaveChangesInterceptor
{
    private bool _addedEvents;

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        _addedEvents = eventData.Context!.ChangeTracker.Entries<OutboxMessage>().Any(e => e.State == EntityState.Added);
        return ValueTask.FromResult(result);
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        // Inside an explicit transaction the rows are not visible yet; the dispatcher's poll picks them up after commit.
        if (_addedEvents && eventData.Context!.Database.CurrentTransaction is null)
        {
            signal.Notify();
        }
        _addedEvents = false;
        return ValueTask.FromResult(result);
    }
}
