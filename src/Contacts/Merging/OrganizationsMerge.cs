using System.Text.Json;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Merging;

/// <summary>
/// Merges organizations into one survivor in one transaction: roles held at them, their people, their subsidiaries and
/// their external ids move to the survivor; the merged organizations are archived in the merge record and deleted.
/// Every person and subsidiary that moved gets a new version and its Updated event, so the replicas follow.
/// </summary>
internal static class OrganizationsMerge
{
    public static async Task<(MergeRecord? Merge, ProblemHttpResult? Problem)> RunAsync(
        ContactsDbContext db, MergeRequest request, HttpRequest http, DateTime now, CancellationToken cancellationToken)
    {
        var merged = request.Merged.ToArray();
        Guid[] all = [request.SurvivorId, .. merged];
        await db.LockAsync(cancellationToken);
        var organizations = await db.Organizations.FromSql($"SELECT * FROM organizations WHERE id = ANY({all}) ORDER BY id FOR UPDATE").ToListAsync(cancellationToken);
        if (MergeChecks.Check(organizations, request, http, "organization") is { } problem)
        {
            return (null, problem);
        }
        var survivor = organizations.Single(o => o.Id == request.SurvivorId);
        var sources = merged.Select(id => organizations.Single(o => o.Id == id)).ToList();
        var parents = organizations.ToDictionary(o => o.Id, o => o.ParentOrganizationId);

        // A merged organization above the survivor with another organization in between would, once that one's parent
        // becomes the survivor, close a cycle; a merged direct parent (or a chain of them) is simply skipped.
        var ancestors = await db.AncestorsAsync(survivor.Id, cancellationToken);
        if (ancestors.SkipWhile(a => merged.Contains(a.Id)).FirstOrDefault(a => merged.Contains(a.Id)) is { } above)
        {
            return (null, ApiProblems.Unprocessable("Merging would make the hierarchy a cycle.", new Dictionary<string, string[]>
            {
                ["mergedIds"] = [$"Organization '{above.Id}' is above the survivor with other organizations in between; merge the other way round."],
            }));
        }

        var tenant = db.CurrentTenantId;
        var people = await db.People.IgnoreQueryFilters()
            .Where(p => p.TenantId == tenant && p.OrganizationId != null && merged.Contains(p.OrganizationId.Value)).ToListAsync(cancellationToken);
        var subsidiaries = await db.Organizations.IgnoreQueryFilters()
            .Where(o => o.TenantId == tenant && o.ParentOrganizationId != null && merged.Contains(o.ParentOrganizationId.Value) && !all.Contains(o.Id))
            .ToListAsync(cancellationToken);
        var before = new Dictionary<string, List<JsonElement>>
        {
            ["organizations"] = await RowArchive.ReadAsync(db, "organizations", "id", all, cancellationToken),
            ["affiliations"] = await RowArchive.ReadAsync(db, "affiliations", "organization_id", merged, cancellationToken),
            ["people"] = [.. people.Select(p => JsonSerializer.SerializeToElement(new { id = p.Id, organization_id = p.OrganizationId }))],
            ["subsidiaries"] = [.. subsidiaries.Select(o => JsonSerializer.SerializeToElement(new { id = o.Id, parent_organization_id = o.ParentOrganizationId }))],
            ["organization_external_ids"] = await RowArchive.ReadAsync(db, "organization_external_ids", "organization_id", merged, cancellationToken),
        };

        await RepointAsync(db, survivor.Id, merged, now, cancellationToken);
        people.ForEach(p => p.OrganizationId = survivor.Id);
        subsidiaries.ForEach(o => o.ParentOrganizationId = survivor.Id);
        // Merged organizations may hang below one another; unhooked first, they can be deleted in any order.
        sources.ForEach(o => o.ParentOrganizationId = null);
        await db.SaveChangesAsync(cancellationToken);

        foreach (var organization in sources)
        {
            db.Organizations.Remove(organization);
        }
        db.Stamp();
        sources.ForEach(o => db.AddEvent(o.Deleted(now)));
        people.ForEach(p => db.AddEvent(p.Updated()));
        subsidiaries.ForEach(o => db.AddEvent(o.Updated()));
        await db.SaveChangesAsync(cancellationToken);

        RecordMergeFields.Organization.Apply(survivor, sources, request.Choices);
        var parent = survivor.ParentOrganizationId;
        for (var steps = 0; parent is { } id && parents.ContainsKey(id) && steps <= all.Length; steps++)
        {
            parent = parents[id];
        }
        survivor.ParentOrganizationId = parent is { } p && parents.ContainsKey(p) ? null : parent;
        db.Entry(survivor).State = EntityState.Modified;
        db.Stamp();
        db.AddEvent(survivor.Updated());
        var merge = MergeChecks.Record(db, MergeKinds.Organization, survivor.Id, merged, survivor.Version, before, now);
        db.AddEvent(new ContactsMerged(Guid.CreateVersion7(), now, survivor.TenantId, survivor.Id, survivor.Version,
            merge.Id, MergeKinds.Organization, survivor.Id, merged));
        await db.SaveChangesAsync(cancellationToken);
        return (merge, null);
    }

    private static async Task RepointAsync(ContactsDbContext db, Guid survivor, Guid[] merged, DateTime now, CancellationToken cancellationToken)
    {
        var tenant = db.CurrentTenantId;
        var actor = db.CurrentActorId ?? "system";
        Guid[] all = [survivor, .. merged];
        await db.Database.ExecuteSqlAsync($"""
            UPDATE affiliations SET organization_id = {survivor}, version = version + 1, updated_at = {now}, updated_by = {actor}
            WHERE tenant_id = {tenant} AND organization_id = ANY({merged})
            """, cancellationToken);
        await db.Database.ExecuteSqlAsync($"""
            DELETE FROM organization_external_ids e WHERE e.tenant_id = {tenant} AND e.organization_id = ANY({merged}) AND EXISTS (
                SELECT 1 FROM organization_external_ids o WHERE o.tenant_id = {tenant} AND o.source = e.source
                  AND o.organization_id <> e.organization_id
                  AND array_position({all}, o.organization_id) < array_position({all}, e.organization_id))
            """, cancellationToken);
        await db.Database.ExecuteSqlAsync($"""
            UPDATE organization_external_ids SET organization_id = {survivor} WHERE tenant_id = {tenant} AND organization_id = ANY({merged})
            """, cancellationToken);
    }
}
