namespace CrmPlatform.Persistence;

/// <summary>
/// Wakes a polling background worker as soon as there is work, so it need not wait for its next poll. Wake-ups do not
/// pile up: one wake-up makes the worker take everything pending.
/// </summary>
public abstract class WakeSignal
{
    private readonly SemaphoreSlim _pending = new(0, 1);

    public void Notify()
    {
        try
        {
            _pending.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _pending.WaitAsync(timeout, cancellationToken);
}
