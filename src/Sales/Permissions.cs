using CrmPlatform.Persistence.Audit;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Sales;

/// <summary>Who may do what in Sales: the sales team works the pipeline, marketing and read-only users look at it.</summary>
public static class Permissions
{
    public const string Opportunities = "opportunities";

    public static readonly PermissionMatrix Matrix = new PermissionMatrix()
        .Allow(AuditApi.Resource, Operation.Read, Roles.Admin)
        .Allow(Opportunities, Operation.Read, Roles.Admin, Roles.SalesManager, Roles.SalesRep, Roles.Marketing, Roles.ReadOnly)
        .Allow(Opportunities, [Operation.Create, Operation.Update], Roles.Admin, Roles.SalesManager, Roles.SalesRep)
        .Allow(Opportunities, Operation.Delete, Roles.Admin, Roles.SalesManager);
}
