using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.Sales.Data;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Merges;

/// <summary>
/// Every place a Sales record points at a contact of the directory, so a merge can move them all and its undo can
/// move them back. A new link to a contact belongs here, or a merge leaves it pointing at a contact that is gone.
/// </summary>
public sealed record ContactLinks(
    string Kind,
    Func<SalesDbContext, Guid, Guid[], CancellationToken, Task<List<(Entity Record, Guid Contact)>>> FindAsync,
    Action<Entity, Guid> Set)
{
    public static readonly IReadOnlyList<ContactLinks> All =
    [
        new("opportunity",
            async (db, tenant, ids, ct) => [.. (await db.Opportunities.IgnoreQueryFilters()
                .Where(o => o.TenantId == tenant && ids.Contains(o.CustomerId)).ToListAsync(ct)).Select(o => ((Entity)o, o.CustomerId))],
            (record, contact) => ((Model.Opportunity)record).CustomerId = contact),
        new("activity",
            async (db, tenant, ids, ct) => [.. (await db.Activities.IgnoreQueryFilters()
                .Where(a => a.TenantId == tenant && a.ContactId != null && ids.Contains(a.ContactId.Value)).ToListAsync(ct)).Select(a => ((Entity)a, a.ContactId!.Value))],
            (record, contact) => ((Activities.Activity)record).ContactId = contact),
        new("task",
            async (db, tenant, ids, ct) => [.. (await db.Tasks.IgnoreQueryFilters()
                .Where(t => t.TenantId == tenant && t.ContactId != null && ids.Contains(t.ContactId.Value)).ToListAsync(ct)).Select(t => ((Entity)t, t.ContactId!.Value))],
            (record, contact) => ((Activities.SalesTask)record).ContactId = contact),
        new("lead-person",
            async (db, tenant, ids, ct) => [.. (await db.Leads.IgnoreQueryFilters()
                .Where(l => l.TenantId == tenant && l.ConvertedPersonId != null && ids.Contains(l.ConvertedPersonId.Value)).ToListAsync(ct)).Select(l => ((Entity)l, l.ConvertedPersonId!.Value))],
            (record, contact) => ((Leads.Lead)record).ConvertedPersonId = contact),
        new("lead-organization",
            async (db, tenant, ids, ct) => [.. (await db.Leads.IgnoreQueryFilters()
                .Where(l => l.TenantId == tenant && l.ConvertedOrganizationId != null && ids.Contains(l.ConvertedOrganizationId.Value)).ToListAsync(ct)).Select(l => ((Entity)l, l.ConvertedOrganizationId!.Value))],
            (record, contact) => ((Leads.Lead)record).ConvertedOrganizationId = contact),
    ];
}
