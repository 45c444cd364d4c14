using CrmPlatform.Persistence.Consents;
using CrmPlatform.Persistence.ContactDirectory;
using CrmPlatform.Persistence.Tenancy;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace CrmPlatform.Persistence.Gdpr;

public static class GdprExtensions
{
    /// <summary>
    /// Subscribes the service to data subject requests (queue <c>{service}-gdpr</c>) with the parts every service shares:
    /// the contact directory and the consent replica, when its DbContext keeps them. Service-specific parts are added
    /// with <see cref="AddPersonalDataPart{TDbContext, TPart}"/>.
    /// </summary>
    public static void AddGdprConsumer<TDbContext>(this IBusRegistrationConfigurator bus, string serviceName)
        where TDbContext : TenantDbContext
    {
        bus.AddSingleton(new GdprServiceName(serviceName));
        if (typeof(IContactDirectoryDbContext).IsAssignableFrom(typeof(TDbContext)))
        {
            bus.AddScoped(typeof(IPersonalDataPart<TDbContext>), typeof(ContactDirectoryPart<>).MakeGenericType(typeof(TDbContext)));
        }
        if (typeof(IConsentReplicaDbContext).IsAssignableFrom(typeof(TDbContext)))
        {
            bus.AddScoped(typeof(IPersonalDataPart<TDbContext>), typeof(ConsentReplicaPart<>).MakeGenericType(typeof(TDbContext)));
        }
        bus.AddConsumer<GdprConsumer<TDbContext>>().Endpoint(endpoint => endpoint.Name = $"{serviceName}-gdpr");
    }

    /// <summary>Adds personal data of the service's own to what its data subject requests collect and erase.</summary>
    public static IServiceCollection AddPersonalDataPart<TDbContext, TPart>(this IServiceCollection services)
        where TDbContext : TenantDbContext
        where TPart : class, IPersonalDataPart<TDbContext> =>
        services.AddScoped<IPersonalDataPart<TDbContext>, TPart>();
}
