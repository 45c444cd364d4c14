using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Marketing.Data;
using CrmPlatform.Persistence.Replicas;
using CrmPlatform.ServiceDefaults;
using MassTransit;

namespace CrmPlatform.Marketing.Campaigns;

/// <summary>Keeps <see cref="RecipientProfile"/> from Contacts' person events, like the contact directory (once, newest wins).</summary>
public sealed class RecipientProfileConsumer(MarketingDbContext db, TenantContext tenant, TimeProvider clock) :
    IConsumer<PersonCreated>, IConsumer<PersonUpdated>, IConsumer<PersonDeleted>
{
    public const string ConsumerName = "recipient-profiles";

    public Task Consume(ConsumeContext<PersonCreated> context) => Apply(context, p => Set(p, context.Message.Person));

    public Task Consume(ConsumeContext<PersonUpdated> context) => Apply(context, p => Set(p, context.Message.Person));

    public Task Consume(ConsumeContext<PersonDeleted> context) => Apply(context, p => p.IsDeleted = true);

    private static void Set(RecipientProfile profile, PersonSnapshot person)
    {
        profile.FirstName = Clip(person.FirstName);
        profile.LastName = Clip(person.LastName);
        profile.Language = person.Language is { Length: <= 35 } language ? language : null;
        profile.DoNotEmail = person.DoNotEmail ?? false;
        profile.Erased = person.Erased ?? false;
        profile.IsDeleted = false;
    }

    private static string? Clip(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Length > 200 ? value[..200] : value;

    private Task Apply<TEvent>(ConsumeContext<TEvent> context, Action<RecipientProfile> change) where TEvent : class, Contracts.IIntegrationEvent =>
        Replica.ApplyAsync(db, tenant, clock, context, ConsumerName, id => new RecipientProfile { Id = id }, change);

    public static void Register(IBusRegistrationConfigurator bus, string serviceName) =>
        bus.AddConsumer<RecipientProfileConsumer>().Endpoint(endpoint => endpoint.Name = $"{serviceName}-{ConsumerName}");
}
