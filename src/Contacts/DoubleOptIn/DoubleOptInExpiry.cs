using CrmPlatform.Contacts.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrmPlatform.Contacts.DoubleOptIn;

/// <summary>
/// Ends double opt-in requests nobody confirmed in time (<see cref="DoubleOptInSettings.RequestLifetime"/>): each in its
/// own transaction and its own tenant, the pending consent withdrawn if it was still the request's.
/// </summary>
internal sealed class DoubleOptInExpiry(
    IServiceScopeFactory scopes, IOptions<DoubleOptInSettings> settings, TimeProvider clock, ILogger<DoubleOptInExpiry> logger) : BackgroundService
{
    private const int BatchSize = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(settings.Value.ExpiryCheckInterval, clock);
        do
        {
            try
            {
                await ExpireDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Expiring double opt-in requests failed; retrying at the next check");
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task ExpireDueAsync(CancellationToken stoppingToken)
    {
        List<(Guid Id, Guid TenantId)> due;
        do
        {
            var now = clock.GetUtcNow().UtcDateTime;
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<ContactsDbContext>();
                due = (await db.DoubleOptInRequests.IgnoreQueryFilters().AsNoTracking()
                    .Where(r => r.State == DoubleOptInState.Pending && r.ExpiresAt <= now)
                    .OrderBy(r => r.ExpiresAt).Take(BatchSize)
                    .Select(r => new { r.Id, r.TenantId }).ToListAsync(stoppingToken))
                    .Select(r => (r.Id, r.TenantId)).ToList();
            }

            foreach (var (id, tenantId) in due)
            {
                await using var scope = scopes.CreateAsyncScope();
                var tenant = scope.ServiceProvider.GetRequiredService<TenantContext>();
                tenant.TenantId = tenantId;
                tenant.ActorId = DoubleOptInLedger.Actor;
                await scope.ServiceProvider.GetRequiredService<ContactsDbContext>().ExpireAsync(id, now, stoppingToken);
            }
        }
        while (due.Count == BatchSize);
    }
}
