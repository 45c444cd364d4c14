using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.DoubleOptIn;
using CrmPlatform.Contacts.Gdpr;
using CrmPlatform.Contacts.Duplicates;
using CrmPlatform.Contacts.Imports;
using CrmPlatform.Contacts.LeadConversions;
using CrmPlatform.Contacts.TicketRequesters;
using CrmPlatform.Contacts.WebForms;
using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Gdpr;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Contacts;

internal static class Extensions
{
    public const string ServiceName = "contacts";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddPermissions(Permissions.Matrix);
        builder.AddServiceDbContext<ContactsDbContext>("contactsdb");
        builder.AddDoubleOptIn();
        builder.AddDuplicatesAndMerges();
        builder.AddAuditRetention<ContactsDbContext>();
        builder.AddMessaging(ServiceName, bus =>
        {
            bus.AddTeamDirectoryConsumer<ContactsDbContext>(ServiceName);
            bus.AddGdpr(builder, ServiceName);
            // Sales asks before converting a lead; requests wait for an answer, so they have a queue of their own.
            bus.AddConsumer<LikelyMatchesConsumer>().Endpoint(endpoint => endpoint.Name = $"{ServiceName}-likely-matches");
            LeadConversionConsumer.Register(bus, ServiceName);
            TicketRequesterConsumer.Register(bus, ServiceName);
            FormSubmittedConsumer.Register(bus, ServiceName);
            Unsubscribes.UnsubscribedConsumer.Register(bus, ServiceName);
            CrmPlatform.Contacts.Journeys.PersonTagConsumer.Register(bus, ServiceName);
        });
        builder.AddImports();
    }
}
