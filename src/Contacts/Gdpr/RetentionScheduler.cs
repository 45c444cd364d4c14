using CrmPlatform.ServiceDefaults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using CrmPlatform.Contacts.Data;

namespace CrmPlatform.Contacts.Gdpr;

/// <summary>
/// Runs every tenant's retention policy every <see cref="GdprOptions.RetentionInterval"/>, on the injected clock (so
/// tests can drive it). A tenant's failure is logged and retried at the next run; other tenants still run.
/// </summary>
public sealed class RetentionScheduler(IServiceScopeFactory scopes, TimeProvider clock, IOptions<GdprOptions> options, ILogger<RetentionScheduler> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.RetentionInterval, clock, stoppingToken);
                await RunAllAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    public async Task RunAllAsync(CancellationToken cancellationToken)
    {
        List<Guid> tenants;
        await using (var scope = scopes.CreateAsyncScope())
        {
            tenants = await scope.ServiceProvider.GetRequiredService<ContactsDbContext>().Set<RetentionPolicy>().IgnoreQueryFilters()
                .Where(p => p.AnonymizeInactiveAfterMonths != null).Select(p => p.TenantId).ToListAsync(cancellationToken);
        }
        foreach (var tenantId in tenants)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<TenantContext>().TenantId = tenantId;
                var run = await scope.ServiceProvider.GetRequiredService<RetentionRunner>().RunAsync(RetentionRunner.Scheduled, cancellationToken);
                logger.LogInformation("Retention policy of tenant {TenantId} anonymized {Count} people", tenantId, run?.AnonymizedCount ?? 0);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Retention policy of tenant {TenantId} failed; it runs again next time", tenantId);
            }
        }
    }
}
