using System.Text.Json;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Persistence.Audit;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Merging;

/// <summary>
/// Undoes a merge from its archive, in one transaction: the survivor gets its fields from before the merge back, the
/// merged records exist again with their ids, and what the merge re-pointed points back, except rows that changed
/// again since (they stay as they are). The outbox gets Created for each restored record, Updated for the survivor
/// and for each person or subsidiary moved back, ConsentChanged for each consent restored, and ContactsUnmerged.
/// Refused while the survivor has changed since the merge: the undo would silently drop that change.
/// </summary>
internal static class MergeUndo
{
    public static async Task<ProblemHttpResult?> RunAsync(ContactsDbContext db, MergeRecord merge, DateTime now, CancellationToken cancellationToken)
    {
        var person = merge.Kind == MergeKinds.Person;
        var table = person ? "people" : "organizations";
        var currentVersion = person
            ? await db.People.Where(p => p.Id == merge.SurvivorId).Select(p => (int?)p.Version).SingleOrDefaultAsync(cancellationToken)
            : await db.Organizations.Where(o => o.Id == merge.SurvivorId).Select(o => (int?)o.Version).SingleOrDefaultAsync(cancellationToken);
        if (currentVersion != merge.SurvivorVersion)
        {
            return ApiProblems.Conflict(currentVersion is null
                ? "The survivor of this merge no longer exists."
                : $"The survivor has changed since the merge (version {merge.SurvivorVersion}, now {currentVersion}); undoing would lose that change.",
                new Dictionary<string, object?> { ["survivorId"] = merge.SurvivorId, ["currentVersion"] = currentVersion });
        }

        var before = merge.Before.RootElement;
        var actor = db.CurrentActorId ?? "system";
        var records = Rows(before, table);
        await RowArchive.RestoreInPlaceAsync(db, table, records.Single(r => Id(r) == merge.SurvivorId), actor, now, cancellationToken);
        var restored = records.Where(r => Id(r) != merge.SurvivorId).ToList();
        // Merged organizations may hang below one another: parents first.
        restored = [.. restored.OrderBy(r => Depth(r, restored))];
        await RowArchive.InsertAsync(db, table, restored, cancellationToken);
        // Newer than the deletion the merge published, so the replicas' tombstones give way.
        var bump = $"UPDATE {table} SET version = version + 2, updated_at = {{0}}, updated_by = {{1}} WHERE tenant_id = {{2}} AND id = ANY({{3}})";
        await db.Database.ExecuteSqlRawAsync(bump, [now, actor, db.CurrentTenantId, merge.MergedIds], cancellationToken);

        var consents = person ? await RestorePersonRelationsAsync(db, merge, before, now, actor, cancellationToken) : [];
        if (!person)
        {
            await RestoreOrganizationRelationsAsync(db, merge, before, now, actor, cancellationToken);
        }

        merge.UndoneAt = now;
        merge.UndoneBy = actor;
        await AddEventsAsync(db, merge, consents, now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return null;
    }

    private static async Task<List<Guid>> RestorePersonRelationsAsync(
        ContactsDbContext db, MergeRecord merge, JsonElement before, DateTime now, string actor, CancellationToken cancellationToken)
    {
        var tenant = db.CurrentTenantId;
        await RestoreAffiliationsAsync(db, merge, before, "person_id", now, actor, cancellationToken);
        var links = Rows(before, "person_links");
        var linkIds = links.Select(Id).ToArray();
        var survivor = merge.SurvivorId;
        // Re-pointed links go back; ones the merge dropped come back; links the survivor made since stay.
        await db.Database.ExecuteSqlAsync($"""
            DELETE FROM person_links WHERE tenant_id = {tenant} AND id = ANY({linkIds}) AND (person_id = {survivor} OR related_person_id = {survivor})
            """, cancellationToken);
        await RowArchive.InsertAsync(db, "person_links", links, cancellationToken);
        await RestoreExternalIdsAsync(db, "person_external_ids", Rows(before, "person_external_ids"), cancellationToken);

        var changed = new List<Guid>();
        foreach (var consent in Rows(before, "consents"))
        {
            // Only a consent the merge changed and nobody since: a newer statement is the truth now.
            changed.AddRange(await db.Database.SqlQuery<Guid>($"""
                UPDATE consents c SET person_id = a.person_id, status = a.status, valid_from = a.valid_from, valid_until = a.valid_until,
                    changed_at = a.changed_at, latest_record_id = a.latest_record_id, version = c.version + 1, updated_at = {now}
                FROM jsonb_populate_record(NULL::consents, {consent.GetRawText()}::jsonb) a
                WHERE c.tenant_id = {tenant} AND c.id = a.id AND c.version = a.version + 1
                RETURNING c.id AS "Value"
                """).ToListAsync(cancellationToken));
        }
        return changed;
    }

    private static async Task RestoreOrganizationRelationsAsync(
        ContactsDbContext db, MergeRecord merge, JsonElement before, DateTime now, string actor, CancellationToken cancellationToken)
    {
        var tenant = db.CurrentTenantId;
        await RestoreAffiliationsAsync(db, merge, before, "organization_id", now, actor, cancellationToken);
        var people = Rows(before, "people").ToDictionary(Id, r => r.GetProperty("organization_id").GetGuid());
        var peopleIds = people.Keys.ToArray();
        foreach (var moved in await db.People.IgnoreQueryFilters()
            .Where(p => p.TenantId == tenant && peopleIds.Contains(p.Id) && p.OrganizationId == merge.SurvivorId).ToListAsync(cancellationToken))
        {
            moved.OrganizationId = people[moved.Id];
        }
        var subsidiaries = Rows(before, "subsidiaries").ToDictionary(Id, r => r.GetProperty("parent_organization_id").GetGuid());
        var subsidiaryIds = subsidiaries.Keys.ToArray();
        foreach (var moved in await db.Organizations.IgnoreQueryFilters()
            .Where(o => o.TenantId == tenant && subsidiaryIds.Contains(o.Id) && o.ParentOrganizationId == merge.SurvivorId).ToListAsync(cancellationToken))
        {
            moved.ParentOrganizationId = subsidiaries[moved.Id];
        }
        await RestoreExternalIdsAsync(db, "organization_external_ids", Rows(before, "organization_external_ids"), cancellationToken);
    }

    /// <summary>Roles the merge moved to the survivor go back, unless someone has moved them since.</summary>
    private static async Task RestoreAffiliationsAsync(
        ContactsDbContext db, MergeRecord merge, JsonElement before, string column, DateTime now, string actor, CancellationToken cancellationToken)
    {
        var sql = $"UPDATE affiliations SET {column} = {{0}}, version = version + 1, updated_at = {{1}}, updated_by = {{2}} "
            + $"WHERE tenant_id = {{3}} AND id = {{4}} AND {column} = {{5}}";
        foreach (var affiliation in Rows(before, "affiliations"))
        {
            await db.Database.ExecuteSqlRawAsync(sql,
                [affiliation.GetProperty(column).GetGuid(), now, actor, db.CurrentTenantId, Id(affiliation), merge.SurvivorId], cancellationToken);
        }
    }

    private static async Task RestoreExternalIdsAsync(ContactsDbContext db, string table, List<JsonElement> rows, CancellationToken cancellationToken)
    {
        var delete = $"DELETE FROM {table} WHERE tenant_id = {{0}} AND source = {{1}} AND external_id = {{2}}";
        foreach (var row in rows)
        {
            await db.Database.ExecuteSqlRawAsync(delete,
                [db.CurrentTenantId, row.GetProperty("source").GetString()!, row.GetProperty("external_id").GetString()!], cancellationToken);
        }
        await RowArchive.InsertAsync(db, table, rows, cancellationToken);
    }

    private static async Task AddEventsAsync(ContactsDbContext db, MergeRecord merge, List<Guid> consents, DateTime now, CancellationToken cancellationToken)
    {
        db.Stamp();
        foreach (var entry in db.ChangeTracker.Entries<Model.Person>().Where(e => e.State == EntityState.Modified))
        {
            db.AddEvent(entry.Entity.Updated());
        }
        foreach (var entry in db.ChangeTracker.Entries<Model.Organization>().Where(e => e.State == EntityState.Modified))
        {
            db.AddEvent(entry.Entity.Updated());
        }
        Guid[] records = [merge.SurvivorId, .. merge.MergedIds];
        int survivorVersion;
        if (merge.Kind == MergeKinds.Person)
        {
            var people = await db.People.IgnoreQueryFilters().AsNoTracking()
                .Where(p => p.TenantId == db.CurrentTenantId && records.Contains(p.Id)).ToListAsync(cancellationToken);
            people.ForEach(p => db.AddEvent(p.Id == merge.SurvivorId ? p.Updated() : p.Created()));
            survivorVersion = people.Single(p => p.Id == merge.SurvivorId).Version;
        }
        else
        {
            var organizations = await db.Organizations.IgnoreQueryFilters().AsNoTracking()
                .Where(o => o.TenantId == db.CurrentTenantId && records.Contains(o.Id)).ToListAsync(cancellationToken);
            organizations.ForEach(o => db.AddEvent(o.Id == merge.SurvivorId ? o.Updated() : o.Created()));
            survivorVersion = organizations.Single(o => o.Id == merge.SurvivorId).Version;
        }
        foreach (var consent in await db.Consents.AsNoTracking().Where(c => consents.Contains(c.Id)).ToListAsync(cancellationToken))
        {
            db.AddEvent(consent.Changed());
        }
        foreach (var id in records)
        {
            db.Set<AuditEntry>().Add(new AuditEntry
            {
                CreatedAt = now,
                EntityType = merge.Kind,
                EntityId = id,
                Action = id == merge.SurvivorId ? "unmerged" : "restored",
                ActorId = db.CurrentActorId ?? "system",
                Changes = JsonSerializer.Serialize(new { mergeId = merge.Id }),
            });
        }
        db.AddEvent(new ContactsUnmerged(Guid.CreateVersion7(), now, db.CurrentTenantId, merge.SurvivorId, survivorVersion,
            merge.Id, merge.Kind, merge.SurvivorId, merge.MergedIds));
    }

    private static List<JsonElement> Rows(JsonElement before, string table) =>
        before.TryGetProperty(table, out var rows) ? [.. rows.EnumerateArray()] : [];

    private static Guid Id(JsonElement row) => row.GetProperty("id").GetGuid();

    private static int Depth(JsonElement row, List<JsonElement> rows)
    {
        var depth = 0;
        for (var current = row; depth < rows.Count
            && current.TryGetProperty("parent_organization_id", out var parent) && parent.ValueKind == JsonValueKind.String
            && rows.FirstOrDefault(r => Id(r) == parent.GetGuid()) is { ValueKind: JsonValueKind.Object } next; depth++)
        {
            current = next;
        }
        return depth;
    }
}
