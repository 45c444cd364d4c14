using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Gdpr;
using CrmPlatform.Marketing.Data;
using CrmPlatform.Marketing.Segments;
using CrmPlatform.Marketing.Forms;
using CrmPlatform.Marketing.Campaigns;
using CrmPlatform.Marketing.Attribution;
using CrmPlatform.Marketing.Journeys;
using CrmPlatform.Marketing.Bounces;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Marketing;

internal static class Extensions
{
    public const string ServiceName = "marketing";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddPermissions(Permissions.Matrix);
        builder.AddServiceDbContext<MarketingDbContext>("marketingdb");
        builder.AddAuditRetention<MarketingDbContext>();
        builder.AddWebForms();
        builder.AddCampaigns();
        builder.AddBounces();
        builder.AddMessaging(ServiceName, bus =>
        {
            bus.AddContactDirectoryConsumer<MarketingDbContext>(ServiceName);
            bus.AddConsentReplicaConsumer<MarketingDbContext>(ServiceName);
            bus.AddGdprConsumer<MarketingDbContext>(ServiceName);
            builder.AddSegments(bus);
            RecipientProfileConsumer.Register(bus, ServiceName);
            builder.AddJourneys(bus);
            AttributionConsumer.Register(builder, bus);
        });
    }
}
