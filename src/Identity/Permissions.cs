using CrmPlatform.Persistence.Audit;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Identity;

/// <summary>
/// Who may do what in Identity: the admin API is for admins only. Creating tenants further needs an admin of the
/// platform tenant, and a user may set up their own two-factor sign-in; both are decided per request.
/// </summary>
public static class Permissions
{
    public const string Users = "users";
    public const string Teams = "teams";
    public const string ApiClients = "api-clients";
    public const string Tenants = "tenants";

    private static readonly Operation[] AllOperations = [Operation.Read, Operation.Create, Operation.Update, Operation.Delete];

    public static readonly PermissionMatrix Matrix = new PermissionMatrix()
        .Allow(Users, AllOperations, Roles.Admin)
        .Allow(Teams, AllOperations, Roles.Admin)
        .Allow(ApiClients, AllOperations, Roles.Admin)
        .Allow(Tenants, [Operation.Read, Operation.Create], Roles.Admin)
        .Allow(AuditApi.Resource, Operation.Read, Roles.Admin);
}
