using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Gdpr;
using CrmPlatform.Sales.Activities;
using CrmPlatform.Sales.Gdpr;
using CrmPlatform.Persistence.Imports;
using CrmPlatform.Sales.Leads;
using CrmPlatform.Sales.Leads.Imports;
using CrmPlatform.Contracts.Contacts.V1;
using MassTransit;
using CrmPlatform.Sales.Leads.Conversion;
using CrmPlatform.Sales.Data;
using CrmPlatform.Sales.Forecast;
using CrmPlatform.Sales.Merges;
using CrmPlatform.Sales.Scoring;
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
            bus.AddContactMergeConsumer(ServiceName);
            bus.AddConsumer<FormSubmittedConsumer>().Endpoint(endpoint => endpoint.Name = $"{ServiceName}-{FormSubmittedConsumer.ConsumerName}");
            var matchTimeout = builder.Configuration.GetValue<TimeSpan?>("Leads:MatchTimeout") ?? TimeSpan.FromSeconds(5);
            bus.AddRequestClient<FindLikelyMatches>(RequestTimeout.After(ms: (int)matchTimeout.TotalMilliseconds));
            builder.AddLeadConversions(bus, ServiceName);
            bus.AddEngagementConsumer(ServiceName);
            SalesTaskRequestConsumer.Register(bus, ServiceName);
        });
        builder.Services.AddPersonalDataPart<SalesDbContext, OpportunitiesPart>();
        builder.Services.AddPersonalDataPart<SalesDbContext, QuotesPart>();
        builder.Services.AddPersonalDataPart<SalesDbContext, ActivitiesPart>();
        builder.Services.AddPersonalDataPart<SalesDbContext, LeadsPart>();
        builder.Services.AddSingleton(services => new ImportFiles(services.GetRequiredService<IConfiguration>(), "crm-sales-lead-imports"));
        builder.Services.AddScoped<LeadImporter>();
        builder.Services.AddSingleton<TaskReminderSignal>();
        builder.Services.AddHostedService<TaskReminders>();
        builder.Services.AddSingleton<ScoringWorker>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ScoringWorker>());
        builder.Services.AddPersonalDataPart<SalesDbContext, DecisionsPart>();
        builder.Services.AddHostedService<ForecastSnapshots>();
    }
}
