using CrmPlatform.Persistence.Audit;
using CrmPlatform.Persistence.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CrmPlatform.Persistence.Gdpr;

/// <summary>The <c>Audit</c> configuration section.</summary>
public sealed class AuditRetentionOptions
{
    public const string Section = "Audit";

    /// <summary>Entries older than this many days are purged; null (the default) keeps the audit log forever.</summary>
    public int? RetentionDays { get; set; }

    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromDays(1);
}

/// <summary>
/// The only way audit entries leave the log: when <c>Audit:RetentionDays</c> is set, every
/// <c>Audit:PurgeInterval</c> each tenant's entries older than that are removed by <c>audit_entries_purge</c>, which
/// appends an entry recording how many it removed and of which period (see <see cref="AuditTrail"/>).
/// </summary>
public sealed class AuditRetentionJob<TDbContext>(
    IServiceScopeFactory scopes, TimeProvider clock, IOptions<AuditRetentionOptions> options, ILogger<AuditRetentionJob<TDbContext>> logger)
    : BackgroundService
    where TDbContext : TenantDbContext
{
    public const string Actor = "audit-retention";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.RetentionDays is not { } days)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PurgeAsync(TimeSpan.FromDays(days), stoppingToken);
                await Task.Delay(options.Value.PurgeInterval, clock, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Purging the audit log failed; it runs again at the next interval");
                await Task.Delay(options.Value.PurgeInterval, clock, stoppingToken);
            }
        }
    }

    /// <summary>Purges every tenant's entries older than <paramref name="retention"/>; returns how many went.</summary>
    public async Task<int> PurgeAsync(TimeSpan retention, CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow().UtcDateTime - retention;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var tenants = await db.Set<AuditEntry>().IgnoreQueryFilters().Where(e => e.CreatedAt < cutoff)
            .Select(e => e.TenantId).Distinct().ToListAsync(cancellationToken);
        var purged = 0;
        foreach (var tenantId in tenants)
        {
            var count = await db.Database
                .SqlQuery<int>($"SELECT audit_entries_purge({tenantId}, {cutoff}, {Actor}) AS \"Value\"")
                .SingleAsync(cancellationToken);
            logger.LogInformation("Purged {Count} audit entries older than {Cutoff} of tenant {TenantId}", count, cutoff, tenantId);
            purged += count;
        }
        return purged;
    }
}

public static class AuditRetentionExtensions
{
    /// <summary>For services whose audit log has <c>audit_entries_purge</c> (migration of <see cref="AuditTrail"/>).</summary>
    public static IHostApplicationBuilder AddAuditRetention<TDbContext>(this IHostApplicationBuilder builder) where TDbContext : TenantDbContext
    {
        builder.Services.AddOptions<AuditRetentionOptions>().BindConfiguration(AuditRetentionOptions.Section)
            .Validate(o => o.RetentionDays is null or > 0, "Audit:RetentionDays must be positive (or unset to keep the log forever).");
        builder.Services.AddSingleton<AuditRetentionJob<TDbContext>>();
        builder.Services.AddHostedService(services => services.GetRequiredService<AuditRetentionJob<TDbContext>>());
        return builder;
    }
}
