using System.Diagnostics;
using CrmPlatform.Persistence.Tenancy;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CrmPlatform.Persistence.Outbox;

/// <summary>
/// Publishes outbox rows in commit order and marks them published only after the broker has confirmed them
/// (MassTransit waits for the publisher confirm before Publish completes). Rows that fail stay pending and are retried
/// with backoff, so a broker outage delays events but never loses them. Rows are claimed with SKIP LOCKED so two
/// instances of a service never publish the same row at the same time.
/// </summary>
internal sealed class OutboxDispatcher<TDbContext>(
    IServiceScopeFactory scopes, IBus bus, OutboxSignal signal, TimeProvider clock, ILogger<OutboxDispatcher<TDbContext>> logger)
    : BackgroundService where TDbContext : TenantDbContext
{
    private const int BatchSize = 100;
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan KeepPublished = TimeSpan.FromDays(7);

    /// <summary>The service defaults trace every <c>CrmPlatform.*</c> source.</summary>
    private static readonly ActivitySource Tracing = new("CrmPlatform.Outbox");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        var nextCleanup = DateTime.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                int published;
                do
                {
                    published = await PublishBatchAsync(stoppingToken);
                }
                while (published == BatchSize);
                failures = 0;

                if (clock.GetUtcNow().UtcDateTime >= nextCleanup)
                {
                    await DeleteOldPublishedAsync(stoppingToken);
                    nextCleanup = clock.GetUtcNow().UtcDateTime.AddHours(1);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                logger.LogWarning(ex, "Publishing outbox events failed (attempt {Failures}); pending events stay queued", failures);
            }

            var wait = failures == 0 ? PollInterval : TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 250 * Math.Pow(2, failures)));
            try
            {
                await signal.WaitAsync(wait, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<int> PublishBatchAsync(CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(stoppingToken);

        var batch = await db.OutboxMessages
            .FromSql($"SELECT * FROM outbox_messages WHERE published_at IS NULL ORDER BY sequence LIMIT {BatchSize} FOR UPDATE SKIP LOCKED")
            .ToListAsync(stoppingToken);

        var published = 0;
        foreach (var message in batch)
        {
            try
            {
                var integrationEvent = message.ToEvent();
                using var activity = StartPublishActivity(message, integrationEvent);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(PublishTimeout);
                await bus.Publish(integrationEvent, integrationEvent.GetType(), context => context.MessageId = message.EventId, timeout.Token);
                message.PublishedAt = clock.GetUtcNow().UtcDateTime;
                message.LastError = null;
                published++;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Stop at the first failure so subscribers keep seeing events in commit order.
                message.Attempts++;
                message.LastError = ex.Message;
                await db.SaveChangesAsync(CancellationToken.None);
                await transaction.CommitAsync(CancellationToken.None);
                throw;
            }
        }

        await db.SaveChangesAsync(CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
        if (published > 0)
        {
            logger.LogDebug("Published {Count} outbox events", published);
        }
        return published;
    }

    /// <summary>A span under the request that raised the event; MassTransit's send span and the consumers' spans follow it.</summary>
    private Activity? StartPublishActivity(OutboxMessage message, object integrationEvent) =>
        ActivityContext.TryParse(message.TraceParent, null, out var parent)
            ? Tracing.StartActivity($"outbox publish {integrationEvent.GetType().Name}", ActivityKind.Internal, parent)?
                .SetTag("messaging.message.id", message.EventId.ToString())
                .SetTag("crm.outbox.delay_ms", (clock.GetUtcNow().UtcDateTime - message.OccurredAt).TotalMilliseconds)
            : null;

    private async Task DeleteOldPublishedAsync(CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var cutoff = clock.GetUtcNow().UtcDateTime - KeepPublished;
        await db.OutboxMessages.Where(m => m.PublishedAt < cutoff).ExecuteDeleteAsync(stoppingToken);
    }
}
