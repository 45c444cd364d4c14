using System.Threading.Channels;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.ServiceDefaults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrmPlatform.Contacts.Duplicates;

/// <summary><c>Contacts:Duplicates</c>: how often the scan runs (default every 6 hours) and its batch size.</summary>
public sealed class DuplicateScanOptions
{
    public const string Section = "Contacts:Duplicates";
    public TimeSpan ScanInterval { get; set; } = TimeSpan.FromHours(6);
    public int BatchSize { get; set; } = 200;
}

/// <summary>Asks the scan to run now for one tenant (the admin endpoint); the scan picks requests up between rounds.</summary>
public sealed class DuplicateScanRequests
{
    private readonly Channel<Guid> _tenants = Channel.CreateBounded<Guid>(new BoundedChannelOptions(100) { FullMode = BoundedChannelFullMode.DropOldest });

    public bool Request(Guid tenantId) => _tenants.Writer.TryWrite(tenantId);

    public ChannelReader<Guid> Reader => _tenants.Reader;
}

/// <summary>
/// Finds duplicates among stored records in the background: every tenant on the interval, one tenant when asked.
/// Each batch is one set-based query (<see cref="DuplicateRules"/>) over the next ids in order, so memory and the
/// time a query holds stay bounded on a large tenant; pairs are upserted, dismissed ones left alone.
/// </summary>
internal sealed class DuplicateScan(IServiceScopeFactory scopes, DuplicateScanRequests requests, IOptions<DuplicateScanOptions> options,
    TimeProvider clock, ILogger<DuplicateScan> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var next = clock.GetUtcNow() + options.Value.ScanInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            wait.CancelAfter(Max(next - clock.GetUtcNow(), TimeSpan.Zero));
            Guid? tenant = null;
            try
            {
                tenant = await requests.Reader.ReadAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                next = clock.GetUtcNow() + options.Value.ScanInterval;
            }
            try
            {
                foreach (var id in tenant is { } one ? [one] : await TenantsAsync(stoppingToken))
                {
                    await ScanTenantAsync(id, stoppingToken);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "The duplicate scan failed; it runs again at the next interval.");
            }
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private async Task<List<Guid>> TenantsAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ContactsDbContext>();
        return await db.Database.SqlQueryRaw<Guid>(
            "SELECT tenant_id AS \"Value\" FROM people UNION SELECT tenant_id FROM organizations").ToListAsync(cancellationToken);
    }

    public async Task ScanTenantAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var found = 0;
        foreach (var (kind, table) in new[] { (MergeKinds.Person, "people"), (MergeKinds.Organization, "organizations") })
        {
            var after = Guid.Empty;
            while (true)
            {
                await using var scope = scopes.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<TenantContext>().TenantId = tenantId;
                var db = scope.ServiceProvider.GetRequiredService<ContactsDbContext>();
                var sql = $"SELECT id AS \"Value\" FROM {table} WHERE tenant_id = {{0}} AND id > {{1}} ORDER BY id LIMIT {{2}}";
                var ids = await db.Database.SqlQueryRaw<Guid>(sql, tenantId, after, options.Value.BatchSize).ToListAsync(cancellationToken);
                if (ids.Count == 0)
                {
                    break;
                }
                var matches = await DuplicateDetection.MatchStoredAsync(db, kind, [.. ids], cancellationToken);
                found += await DuplicateDetection.RecordAsync(db, kind, matches, clock.GetUtcNow().UtcDateTime, cancellationToken);
                after = ids[^1];
            }
        }
        logger.LogInformation("Duplicate scan of tenant {TenantId} found {Pairs} pairs.", tenantId, found);
    }
}
