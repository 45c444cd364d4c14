using CrmPlatform.Persistence.Consents;
using CrmPlatform.Persistence.ContactDirectory;
using CrmPlatform.Persistence.Outbox;
using CrmPlatform.Persistence.TeamDirectory;
using CrmPlatform.Persistence.Tenancy;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Persistence;

public static class PersistenceExtensions
{
    /// <summary>
    /// Registers the service's DbContext on PostgreSQL from <c>ConnectionStrings__{connectionName}</c> (the name an Aspire
    /// host gives the database), its migration at start, its readiness check, the tenant context and the outbox dispatcher.
    /// Call it before <c>AddMessaging</c> so the schema exists before the bus starts consuming.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDbContext<TDbContext>(this IHostApplicationBuilder builder, string connectionName)
        where TDbContext : TenantDbContext
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName)
            ?? throw new InvalidOperationException($"Connection string '{connectionName}' is missing (ConnectionStrings__{connectionName}).");

        builder.Services.TryAddTimeProvider();
        builder.Services.TryAddScoped<TenantContext>();
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddScoped<OutboxSaveChangesInterceptor>();
        builder.Services.AddDbContext<TDbContext>((services, options) => options
            .UseServiceDatabase(connectionString)
            .AddInterceptors(services.GetRequiredService<OutboxSaveChangesInterceptor>()));
        // Shared features (the audit API) reach the service's own DbContext through its base type.
        builder.Services.AddScoped<TenantDbContext>(services => services.GetRequiredService<TDbContext>());
        builder.Services.AddHealthChecks().AddDbContextCheck<TDbContext>("postgres");
        builder.Services.AddHostedService<DatabaseMigrator<TDbContext>>();
        builder.Services.AddHostedService<OutboxDispatcher<TDbContext>>();
        return builder;
    }

    /// <summary>Subscribes the service's team directory (record scopes) to Identity's team events, on a queue of its own.</summary>
    public static void AddTeamDirectoryConsumer<TDbContext>(this IBusRegistrationConfigurator bus, string serviceName)
        where TDbContext : TenantDbContext
    {
        bus.AddConsumer<TeamDirectoryConsumer<TDbContext>>()
            .Endpoint(endpoint => endpoint.Name = $"{serviceName}-team-directory");
    }

    /// <summary>Subscribes the service's contact directory to the Contacts events, on a queue of its own.</summary>
    public static void AddContactDirectoryConsumer<TDbContext>(this IBusRegistrationConfigurator bus, string serviceName)
        where TDbContext : TenantDbContext, IContactDirectoryDbContext
    {
        bus.AddConsumer<ContactDirectoryConsumer<TDbContext>>()
            .Endpoint(endpoint => endpoint.Name = $"{serviceName}-contact-directory");
    }

    /// <summary>Subscribes the service's consent replica to Contacts' <c>ConsentChanged</c>, on a queue of its own.</summary>
    public static void AddConsentReplicaConsumer<TDbContext>(this IBusRegistrationConfigurator bus, string serviceName)
        where TDbContext : TenantDbContext, IConsentReplicaDbContext
    {
        bus.AddConsumer<ConsentReplicaConsumer<TDbContext>>()
            .Endpoint(endpoint => endpoint.Name = $"{serviceName}-consents");
    }

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(s => s.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}
