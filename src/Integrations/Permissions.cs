using CrmPlatform.Persistence.Audit;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Integrations;

/// <summary>
/// Who may do what in Integrations: event subscriptions send the tenant's data to systems outside the platform, so
/// only the tenant's admins set them up, read their delivery logs and replay.
/// </summary>
public static class Permissions
{
    public const string EventSubscriptions = "event-subscriptions";

    public static readonly PermissionMatrix Matrix = new PermissionMatrix()
        .Allow(EventSubscriptions, [Operation.Read, Operation.Create, Operation.Update, Operation.Delete], Roles.Admin)
        .Allow(AuditApi.Resource, Operation.Read, Roles.Admin);
}
