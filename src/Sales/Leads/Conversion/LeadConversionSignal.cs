using System.Collections.Concurrent;

namespace CrmPlatform.Sales.Leads.Conversion;

/// <summary>
/// Wakes a request waiting (<c>Prefer: wait</c>) for a conversion this instance finished, so it answers at once instead
/// of at its next look at the database. The waiter still reads the database: another instance may finish it.
/// </summary>
public sealed class LeadConversionSignal
{
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _waiting = new();

    public Task WaitAsync(Guid conversionId) =>
        _waiting.GetOrAdd(conversionId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Forget(Guid conversionId) => _waiting.TryRemove(conversionId, out _);

    public void Finished(Guid conversionId)
    {
        if (_waiting.TryRemove(conversionId, out var waiter))
        {
            waiter.TrySetResult();
        }
    }
}
