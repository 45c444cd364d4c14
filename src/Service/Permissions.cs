using CrmPlatform.Persistence.Audit;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Service;

/// <summary>
/// Who may do what in Service: agents work tickets and write the knowledge base; how support runs (SLA policies,
/// calendars, contracts, groups) is the admins' to set and everyone's to read; sales may look at their customers' tickets
/// (tickets have no owner, so the sales roles read all of the tenant's, read only: Service cannot know whose customer
/// a requester is in Sales).
/// </summary>
public static class Permissions
{
    public const string Tickets = "tickets";
    public const string SupportGroups = "support-groups";
    public const string SlaPolicies = "sla-policies";
    public const string BusinessCalendars = "business-calendars";
    public const string ServiceContracts = "service-contracts";
    public const string KnowledgeBase = "knowledge-base";
    public const string CannedResponses = "canned-responses";
    public const string Csat = "csat";
    public const string SupportAddresses = "support-addresses";

    private static readonly string[] Readers = [Roles.Admin, Roles.ServiceAgent, Roles.SalesManager, Roles.SalesRep, Roles.ReadOnly];

    public static readonly PermissionMatrix Matrix = new PermissionMatrix()
        .Allow(AuditApi.Resource, Operation.Read, Roles.Admin)
        .Allow(Tickets, Operation.Read, Readers)
        .Allow(Tickets, [Operation.Create, Operation.Update], Roles.Admin, Roles.ServiceAgent)
        .Allow(Tickets, Operation.Delete, Roles.Admin)
        .Allow(SupportGroups, Operation.Read, Roles.Admin, Roles.ServiceAgent, Roles.ReadOnly)
        .Allow(SupportGroups, [Operation.Create, Operation.Update, Operation.Delete], Roles.Admin)
        .Allow(SlaPolicies, Operation.Read, Roles.Admin, Roles.ServiceAgent, Roles.ReadOnly)
        .Allow(SlaPolicies, [Operation.Create, Operation.Update, Operation.Delete], Roles.Admin)
        .Allow(BusinessCalendars, Operation.Read, Roles.Admin, Roles.ServiceAgent, Roles.ReadOnly)
        .Allow(BusinessCalendars, [Operation.Create, Operation.Update, Operation.Delete], Roles.Admin)
        .Allow(ServiceContracts, Operation.Read, Readers)
        .Allow(ServiceContracts, [Operation.Create, Operation.Update, Operation.Delete], Roles.Admin)
        // Agents write what they learn; marketing links to published articles.
        .Allow(KnowledgeBase, Operation.Read, [.. Readers, Roles.Marketing])
        .Allow(KnowledgeBase, [Operation.Create, Operation.Update], Roles.Admin, Roles.ServiceAgent)
        .Allow(KnowledgeBase, Operation.Delete, Roles.Admin)
        .Allow(CannedResponses, Operation.Read, Roles.Admin, Roles.ServiceAgent)
        .Allow(CannedResponses, [Operation.Create, Operation.Update, Operation.Delete], Roles.Admin, Roles.ServiceAgent)
        .Allow(Csat, Operation.Read, Roles.Admin, Roles.ServiceAgent, Roles.ReadOnly)
        // Which addresses become tickets is setup, like groups: the admins'.
        .Allow(SupportAddresses, Operation.Read, Roles.Admin, Roles.ServiceAgent)
        .Allow(SupportAddresses, [Operation.Create, Operation.Update, Operation.Delete], Roles.Admin);
}
