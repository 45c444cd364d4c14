using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Imports;
using CrmPlatform.Persistence;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Contacts;

internal static class Extensions
{
    public const string ServiceName = "contacts";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddPermissions(Permissions.Matrix);
        builder.AddServiceDbContext<ContactsDbContext>("contactsdb");
        builder.AddMessaging(ServiceName, bus => bus.AddTeamDirectoryConsumer<ContactsDbContext>(ServiceName));
        builder.AddImports();
    }
}
