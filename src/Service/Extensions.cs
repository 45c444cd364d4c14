using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Audit;
using CrmPlatform.Persistence.Gdpr;
using CrmPlatform.Service.CannedResponses;
using CrmPlatform.Service.Data;
using CrmPlatform.Service.Mail;
using CrmPlatform.Service.Knowledge;
using CrmPlatform.Service.Sla;
using CrmPlatform.Service.Sla.Clocks;
using CrmPlatform.Service.Mail.Inbound;
using CrmPlatform.Service.Tickets;
using CrmPlatform.Service.Tickets.Escalation;
using CrmPlatform.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CrmPlatform.Service;

internal static class Extensions
{
    public const string ServiceName = "service";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddPermissions(Permissions.Matrix);
        builder.AddServiceDbContext<ServiceDbContext>("servicedb");
        builder.AddAuditRetention<ServiceDbContext>();
        builder.Services.AddScoped<ArticleSearch>();
        builder.Services.AddScoped<ArticleSuggester>();
        builder.Services.AddSingleton<CannedResponseRenderer>();
        builder.AddMessaging(ServiceName, bus =>
        {
            bus.AddContactDirectoryConsumer<ServiceDbContext>(ServiceName);
            bus.AddTeamDirectoryConsumer<ServiceDbContext>(ServiceName);
            bus.AddConsentReplicaConsumer<ServiceDbContext>(ServiceName);
            bus.AddGdprConsumer<ServiceDbContext>(ServiceName);
            TicketRequesterReplyConsumer.Register(bus, ServiceName);
        });
        builder.AddSla();
        // Breaches reassign and tell the group's manager (replaces the engine's NoEscalation).
        builder.Services.Replace(ServiceDescriptor.Scoped<ISlaEscalation, SlaBreachEscalation>());
        builder.Services.AddPersonalDataPart<ServiceDbContext, TicketsPart>();
        builder.Services.AddScoped<TicketIntake>();
        builder.Services.AddSingleton<SolvedTicketCloser>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SolvedTicketCloser>());
        builder.AddServiceMail();
        builder.AddInboundMail();
        builder.AddWebFormProtection("Service:WebForm");
    }
}
