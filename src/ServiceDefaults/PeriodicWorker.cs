using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CrmPlatform.ServiceDefaults;

/// <summary>
/// A hosted worker that does one round of its work, waits, and goes again until the host stops. A failed round is
/// logged and retried after <see cref="AfterFailure"/>; the workers that use this make their rounds safe to repeat by
/// claiming their rows in the database, so a retry (or a second instance) never does a thing twice.
/// </summary>
public abstract class PeriodicWorker : BackgroundService
{
    protected abstract ILogger Logger { get; }

    protected virtual TimeProvider Clock => TimeProvider.System;

    /// <summary>What the warning of a failed round names ("the SLA sweep").</summary>
    protected abstract string Work { get; }

    protected abstract TimeSpan AfterFailure { get; }

    /// <summary>One round; returns how long to wait before the next.</summary>
    protected abstract Task<TimeSpan> RunRoundAsync(CancellationToken cancellationToken);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                wait = await RunRoundAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Logger.LogWarning(ex, "{Work} failed; retrying in {Wait}", Work, AfterFailure);
                wait = AfterFailure;
            }
            try
            {
                await Task.Delay(wait, Clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
