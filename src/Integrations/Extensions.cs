using CrmPlatform.Integrations.Amqp;
using CrmPlatform.Integrations.Data;
using CrmPlatform.Integrations.Delivery;
using CrmPlatform.Integrations.Events;
using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Gdpr;
using CrmPlatform.Persistence.Mail;
using CrmPlatform.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace CrmPlatform.Integrations;

internal static class Extensions
{
    public const string ServiceName = "integrations";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddPermissions(Permissions.Matrix);
        builder.AddServiceDbContext<IntegrationsDbContext>("integrationsdb");
        builder.AddAuditRetention<IntegrationsDbContext>();
        builder.AddEmailOutbox<IntegrationsDbContext>().Configure(outbox => outbox.MessageIdDomain = "integrations.crm");
        builder.AddWebhookDelivery();
        builder.Services.AddPersonalDataPart<IntegrationsDbContext, EventLogPart>();
        builder.AddMessaging(ServiceName, bus =>
        {
            bus.AddEventIntake();
            bus.AddGdprConsumer<IntegrationsDbContext>(ServiceName);
        });
    }

    private static void AddWebhookDelivery(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<WebhookSettings>(builder.Configuration.GetSection(WebhookSettings.Section));
        builder.Services.AddSingleton<DeliverySignal>();
        builder.Services.AddHttpClient(WebhookDispatcher.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(services =>
            {
                var allowPrivate = services.GetRequiredService<IOptions<WebhookSettings>>().Value.AllowPrivateTargets;
                return new SocketsHttpHandler
                {
                    // Every connection resolves and checks the address itself (DNS rebinding cannot get past the check).
                    ConnectCallback = (context, cancellationToken) => TargetGuard.ConnectAsync(context, allowPrivate, cancellationToken),
                    // A redirect would be a second target nobody checked at subscription time: not followed, a failure.
                    AllowAutoRedirect = false,
                    UseCookies = false,
                    MaxConnectionsPerServer = 256,
                    PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                };
            })
            // The dispatcher times each attempt itself and records the outcome; no client-level retries or timeout.
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan)
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        builder.AddPartnerBroker();
        builder.Services.AddHostedService<WebhookDispatcher>();
    }

    /// <summary>AMQP subscriptions: the management API (users, permissions) and the publishing connection.</summary>
    private static void AddPartnerBroker(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<AmqpSettings>(builder.Configuration.GetSection(AmqpSettings.Section));
        builder.Services.AddHttpClient(PartnerBroker.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(15));
        builder.Services.AddSingleton<PartnerBroker>();
    }
}
