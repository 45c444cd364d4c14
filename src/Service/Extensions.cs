using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Gdpr;
using CrmPlatform.Service.Data;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Service;

internal static class Extensions
{
    public const string ServiceName = "service";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDbContext<ServiceDbContext>("servicedb");
        builder.AddMessaging(ServiceName, bus =>
        {
            bus.AddContactDirectoryConsumer<ServiceDbContext>(ServiceName);
            bus.AddConsentReplicaConsumer<ServiceDbContext>(ServiceName);
            bus.AddGdprConsumer<ServiceDbContext>(ServiceName);
        });
    }
}
