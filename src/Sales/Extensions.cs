using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Gdpr;
using CrmPlatform.Sales.Activities;
using CrmPlatform.Sales.Gdpr;
using CrmPlatform.Sales.Data;
using CrmPlatform.Sales.Forecast;
using CrmPlatform.Sales.Merges;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Sales;

internal static class Extensions
{
    public const string ServiceName = "sales";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddPermissions(Permissions.Matrix);
        builder.AddServiceDbContext<SalesDbContext>("salesdb");
        builder.AddAuditRetention<SalesDbContext>();
        builder.AddMessaging(ServiceName, bus =>
        {
            bus.AddContactDirectoryConsumer<SalesDbContext>(ServiceName);
            bus.AddTeamDirectoryConsumer<SalesDbContext>(ServiceName);
            bus.AddConsentReplicaConsumer<SalesDbContext>(ServiceName);
            bus.AddGdprConsumer<SalesDbContext>(ServiceName);
            bus.AddOpportunityMergeConsumer(ServiceName);
        });
        builder.Services.AddPersonalDataPart<SalesDbContext, OpportunitiesPart>();
        builder.Services.AddPersonalDataPart<SalesDbContext, QuotesPart>();
        builder.Services.AddPersonalDataPart<SalesDbContext, ActivitiesPart>();
        builder.Services.AddPersonalDataPart<SalesDbContext, DecisionsPart>();
        builder.Services.AddSingleton<TaskReminderSignal>();
        builder.Services.AddHostedService<TaskReminders>();
        builder.Services.AddHostedService<ForecastSnapshots>();
    }
}
