using CrmPlatform.Persistence.Audit;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Sales;

/// <summary>Who may do what in Sales: the sales team works the pipeline, marketing and read-only users look at it.</summary>
public static class Permissions
{
    public const string Opportunities = "opportunities";
    public const string Pipelines = "pipelines";

    public static readonly PermissionMatrix Matrix = new PermissionMatrix()
        .Allow(AuditApi.Resource, Operation.Read, Roles.Admin)
        .Allow(Opportunities, Operation.Read, Roles.Admin, Roles.SalesManager, Roles.SalesRep, Roles.Marketing, Roles.ReadOnly)
        .Allow(Opportunities, [Operation.Create, Operation.Update], Roles.Admin, Roles.SalesManager, Roles.SalesRep)
        .Allow(Opportunities, Operation.Delete, Roles.Admin, Roles.SalesManager)
        // Pipelines shape everyone's work: whoever reads opportunities reads them, those who run the team change them.
        .Allow(Pipelines, Operation.Read, Roles.Admin, Roles.SalesManager, Roles.SalesRep, Roles.Marketing, Roles.ReadOnly)
        .Allow(Pipelines, [Operation.Create, Operation.Update, Operation.Delete], Roles.Admin, Roles.SalesManager);
}
