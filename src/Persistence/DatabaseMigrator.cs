using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CrmPlatform.Persistence;

/// <summary>
/// Applies pending migrations while the host starts: hosted services start before the web server, so <c>/health</c>
/// never answers on an old schema, and the outbox dispatcher and the bus (registered after this) never see one either.
/// Retries while PostgreSQL is still starting.
/// </summary>
internal sealed class DatabaseMigrator<TDbContext>(IServiceScopeFactory scopes, ILogger<DatabaseMigrator<TDbContext>> logger)
    : IHostedService where TDbContext : DbContext
{
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(60);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + GiveUpAfter;
        while (true)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var database = scope.ServiceProvider.GetRequiredService<TDbContext>().Database;
                // Otherwise, on an empty database, EF logs its first read of the missing history table as an error
                // (and the dashboard counts one error per service at every first start).
                await database.GetService<IHistoryRepository>().CreateIfNotExistsAsync(cancellationToken);
                await database.MigrateAsync(cancellationToken);
                logger.LogInformation("Database schema of {DbContext} is up to date", typeof(TDbContext).Name);
                return;
            }
            catch (Exception ex) when (DateTime.UtcNow < deadline && ex is NpgsqlException or TimeoutException)
            {
                logger.LogWarning("Database not reachable yet ({Message}); retrying", ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
