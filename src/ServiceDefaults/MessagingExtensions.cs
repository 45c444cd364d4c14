using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CrmPlatform.ServiceDefaults;

public static class MessagingExtensions
{
    /// <summary>Name of the broker's connection string, as an Aspire host would set it (<c>ConnectionStrings__messaging</c>).</summary>
    public const string ConnectionName = "messaging";

    /// <summary>
    /// MassTransit on RabbitMQ. Queues are prefixed with <paramref name="serviceName"/> so two services with a consumer
    /// of the same name each get every event instead of competing for it. Failed deliveries are retried with
    /// backoff and then moved to the queue's <c>_error</c> twin, where they wait to be replayed.
    /// </summary>
    public static TBuilder AddMessaging<TBuilder>(
        this TBuilder builder, string serviceName, Action<IBusRegistrationConfigurator>? configure = null)
        where TBuilder : IHostApplicationBuilder
    {
        var connectionString = builder.Configuration.GetConnectionString(ConnectionName)
            ?? throw new InvalidOperationException($"Connection string '{ConnectionName}' is missing (ConnectionStrings__{ConnectionName}).");

        builder.Services.AddMassTransit(bus =>
        {
            bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(serviceName, includeNamespace: false));
            // MassTransit would report its usage to its makers over the internet: nothing leaves the platform unasked.
            bus.DisableUsageTelemetry();
            configure?.Invoke(bus);

            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(new Uri(connectionString));
                rabbit.UseMessageRetry(retry => retry.Exponential(
                    retryLimit: 5, minInterval: TimeSpan.FromMilliseconds(100), maxInterval: TimeSpan.FromSeconds(5),
                    intervalDelta: TimeSpan.FromMilliseconds(200)));
                rabbit.ConfigureEndpoints(context);
            });
        });

        // Start-up waits for the bus so a new subscriber's queues are bound before the service reports ready; a message
        // published to an exchange without bindings is dropped by RabbitMQ.
        builder.Services.AddOptions<MassTransitHostOptions>().Configure(options =>
        {
            options.WaitUntilStarted = true;
            options.StartTimeout = TimeSpan.FromSeconds(60);
            options.StopTimeout = TimeSpan.FromSeconds(30);
        });

        builder.Services.AddSingleton(new RabbitMqHealthCheck(new Uri(connectionString)));
        builder.Services.AddHealthChecks().AddCheck<RabbitMqHealthCheck>("rabbitmq");
        return builder;
    }
}
