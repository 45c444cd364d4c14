using CrmPlatform.Contacts.Data;
using CrmPlatform.Persistence.Gdpr;
using MassTransit;

namespace CrmPlatform.Contacts.Gdpr;

internal static class GdprRegistration
{
    /// <summary>
    /// Contacts' side of data subject requests: it answers them like every service (its own part, through the same
    /// consumer), collects every service's answers, and runs the tenants' retention policies.
    /// </summary>
    public static void AddGdpr(this IBusRegistrationConfigurator bus, IHostApplicationBuilder builder, string serviceName)
    {
        builder.Services.AddOptions<GdprOptions>().BindConfiguration(GdprOptions.Section)
            .Validate(o => o.ExpectedServices.Length > 0, "Gdpr:ExpectedServices names no service.")
            .Validate(o => o.RetentionInterval > TimeSpan.Zero, "Gdpr:RetentionInterval must be positive.");
        builder.Services.AddPersonalDataPart<ContactsDbContext, ContactsPersonalData>();
        builder.Services.AddScoped<RetentionRunner>();
        builder.Services.AddHostedService<RetentionScheduler>();
        bus.AddGdprConsumer<ContactsDbContext>(serviceName);
        bus.AddConsumer<GdprReplyConsumer>().Endpoint(endpoint => endpoint.Name = $"{serviceName}-gdpr-replies");
    }
}
