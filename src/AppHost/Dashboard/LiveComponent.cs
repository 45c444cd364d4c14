using CrmPlatform.AppHost.Model;
using CrmPlatform.AppHost.Telemetry;
using Microsoft.AspNetCore.Components;

namespace CrmPlatform.AppHost.Dashboard;

/// <summary>
/// A component that follows the platform live. The store's and the resources' events arrive on other threads (an
/// exporter's batch, the orchestrator, a process's output) and often in bursts, so they are coalesced into at most one
/// refresh per <see cref="RefreshInterval"/> (four renders a second), run on the component's own dispatcher.
/// </summary>
public abstract class LiveComponent : ComponentBase, IDisposable
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(250);
    private readonly List<IDisposable> _subscriptions = [];
    private int _refreshScheduled;
    private volatile bool _disposed;

    /// <summary>Re-reads what the component shows, before a live render.</summary>
    protected virtual void OnLiveUpdate()
    {
    }

    protected IDisposable Follow(TelemetryStore store, params TelemetryKind[] kinds)
    {
        Action<TelemetryKind> handler = kind =>
        {
            if (kinds.Length == 0 || kinds.Contains(kind))
            {
                ScheduleRefresh();
            }
        };
        store.Changed += handler;
        return Keep(new Subscription(() => store.Changed -= handler));
    }

    protected IDisposable Follow(Resource resource)
    {
        Action<Resource> handler = _ => ScheduleRefresh();
        resource.Changed += handler;
        return Keep(new Subscription(() => resource.Changed -= handler));
    }

    protected IDisposable Follow(ResourceLog log)
    {
        Action<LogLine> handler = _ => ScheduleRefresh();
        log.LineAdded += handler;
        return Keep(new Subscription(() => log.LineAdded -= handler));
    }

    protected IDisposable Follow(Mail.MailStore store)
    {
        Action handler = ScheduleRefresh;
        store.Changed += handler;
        return Keep(new Subscription(() => store.Changed -= handler));
    }

    protected void ScheduleRefresh()
    {
        if (!_disposed && Interlocked.Exchange(ref _refreshScheduled, 1) == 0)
        {
            _ = RefreshLaterAsync();
        }
    }

    public void Dispose()
    {
        _disposed = true;
        lock (_subscriptions)
        {
            _subscriptions.ForEach(subscription => subscription.Dispose());
            _subscriptions.Clear();
        }

        GC.SuppressFinalize(this);
    }

    private IDisposable Keep(Subscription subscription)
    {
        lock (_subscriptions)
        {
            _subscriptions.Add(subscription);
        }

        return subscription;
    }

    private async Task RefreshLaterAsync()
    {
        await Task.Delay(RefreshInterval);
        // Cleared before the render, so that an event arriving during it schedules the next one.
        Volatile.Write(ref _refreshScheduled, 0);
        if (_disposed)
        {
            return;
        }

        try
        {
            await InvokeAsync(() =>
            {
                OnLiveUpdate();
                StateHasChanged();
            });
        }
        catch (ObjectDisposedException)
        {
            // The circuit ended (tab closed) between the check and the render.
        }
        catch (Exception ex)
        {
            // Shown like an exception of an event handler, rather than lost in a fire-and-forget task.
            await DispatchExceptionAsync(ex);
        }
    }

    /// <summary>Unsubscribes once: the component's disposal and a page switching resources may both dispose it.</summary>
    private sealed class Subscription(Action unsubscribe) : IDisposable
    {
        private Action? _unsubscribe = unsubscribe;

        public void Dispose() => Interlocked.Exchange(ref _unsubscribe, null)?.Invoke();
    }
}
