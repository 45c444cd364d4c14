namespace CrmPlatform.AppHost.Orchestration;

/// <summary>Hands stop and start requests from commands to a resource's supervision loop.</summary>
internal sealed class ResourceControl
{
    private CancellationTokenSource _stop = new();
    private TaskCompletionSource _start = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Fires when a stop is requested during the current run.</summary>
    public CancellationToken StopRequested => _stop.Token;

    public void RequestStop() => _stop.Cancel();

    public void RequestStart() => _start.TrySetResult();

    /// <summary>Called once stopped: waits for a start request, ready for the next run's stop request.</summary>
    public async Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        _stop.Dispose();
        _stop = new CancellationTokenSource();
        await _start.Task.WaitAsync(cancellationToken);
        _start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
