using CrmPlatform.Persistence.ContactDirectory;
using CrmPlatform.Persistence.Outbox;
using CrmPlatform.Persistence.Tenancy;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CrmPlatform.Persistence;

public static class PersistenceExtensions
{
    /// <summary>
    /// Registers the service's DbContext on PostgreSQL from <c>ConnectionStrings__{connectionName}</c> (the name an Aspire
    /// host gives the database), its readiness check, the tenant context and the outbox dispatcher.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDbContext<TDbContext>(this IHostApplicationBuilder builder, string connectionName)
        where TDbContext : TenantDbContext
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName)
            ?? throw new InvalidOperationException($"Connection string '{connectionName}' is missing (ConnectionStrings__{connectionName}).");

        builder.Services.TryAddTimeProvider();
        builder.Services.AddScoped<TenantContext>();
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddScoped<OutboxSaveChangesInterceptor>();
        builder.Services.AddDbContext<TDbContext>((services, options) => options
            .UseNpgsql(connectionString)
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(services.GetRequiredService<OutboxSaveChangesInterceptor>()));
        builder.Services.AddHealthChecks().AddDbContextCheck<TDbContext>("postgres");
        builder.Services.AddHostedService<OutboxDispatcher<TDbContext>>();
        return builder;
    }

    /// <summary>Subscribes the service's contact directory to the Contacts events, on a queue of its own.</summary>
    public static void AddContactDirectoryConsumer<TDbContext>(this IBusRegistrationConfigurator bus, string serviceName)
        where TDbContext : TenantDbContext, IContactDirectoryDbContext
    {
        bus.AddConsumer<ContactDirectoryConsumer<TDbContext>>()
            .Endpoint(endpoint => endpoint.Name = $"{serviceName}-contact-directory");
    }

    /// <summary>
    /// Applies pending migrations before the app starts serving, so <c>/health</c> never reports ready on an old schema.
    /// Retries while PostgreSQL is still starting.
    /// </summary>
    public static async Task MigrateDatabaseAsync<TDbContext>(this WebApplication app) where TDbContext : DbContext
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Migrations");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await using var scope = app.Services.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<TDbContext>().Database.MigrateAsync();
                logger.LogInformation("Database schema of {DbContext} is up to date", typeof(TDbContext).Name);
                return;
            }
            catch (Exception ex) when (DateTime.UtcNow < deadline && ex is Npgsql.NpgsqlException or TimeoutException)
            {
                logger.LogWarning("Database not reachable yet ({Message}); retrying", ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(s => s.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}
