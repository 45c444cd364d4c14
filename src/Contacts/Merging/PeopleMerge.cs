using System.Text.Json;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Merging;

/// <summary>
/// Merges people into one survivor in one transaction: the merged people's rows are archived in the merge record and
/// deleted; their roles at organizations, links, external ids and consents are re-pointed to the survivor; the survivor
/// takes the chosen fields and every email address and phone number; the outbox gets PersonDeleted for each merged
/// person, PersonUpdated for the survivor, ConsentChanged for each consent the merge changed, and ContactsMerged.
/// </summary>
internal static class PeopleMerge
{
    public static async Task<(MergeRecord? Merge, ProblemHttpResult? Problem)> RunAsync(
        ContactsDbContext db, MergeRequest request, HttpRequest http, DateTime now, CancellationToken cancellationToken)
    {
        var merged = request.Merged.ToArray();
        Guid[] all = [request.SurvivorId, .. merged];
        // Locked in id order, so that two merges sharing records wait for each other instead of deadlocking.
        var people = await db.People.FromSql($"SELECT * FROM people WHERE id = ANY({all}) ORDER BY id FOR UPDATE").ToListAsync(cancellationToken);
        if (MergeChecks.Check(people, request, http, "person") is { } problem)
        {
            return (null, problem);
        }
        var survivor = people.Single(p => p.Id == request.SurvivorId);
        var sources = merged.Select(id => people.Single(p => p.Id == id)).ToList();

        var before = new Dictionary<string, List<JsonElement>>
        {
            ["people"] = await RowArchive.ReadAsync(db, "people", "id", all, cancellationToken),
            ["affiliations"] = await RowArchive.ReadAsync(db, "affiliations", "person_id", merged, cancellationToken),
            ["person_links"] = [.. (await RowArchive.ReadAsync(db, "person_links", "person_id", merged, cancellationToken))
                .Concat(await RowArchive.ReadAsync(db, "person_links", "related_person_id", merged, cancellationToken))
                .DistinctBy(row => row.GetProperty("id").GetGuid())],
            ["person_external_ids"] = await RowArchive.ReadAsync(db, "person_external_ids", "person_id", merged, cancellationToken),
            ["consents"] = await RowArchive.ReadAsync(db, "consents", "person_id", all, cancellationToken),
        };

        var changedConsents = await RepointAsync(db, survivor.Id, merged, now, cancellationToken);
        foreach (var person in sources)
        {
            db.People.Remove(person);
        }
        db.Stamp();
        foreach (var person in sources)
        {
            db.AddEvent(person.Deleted(now));
        }
        // The merged people go first, so that the survivor can take their addresses (one person per address).
        await db.SaveChangesAsync(cancellationToken);

        try
        {
            TakeFields(survivor, sources, request.Choices);
        }
        catch (ArgumentException ex)
        {
            return (null, ApiProblems.Unprocessable("The chosen fields do not fit together.",
                new Dictionary<string, string[]> { ["fields"] = [ex.Message] }));
        }
        db.Entry(survivor).State = EntityState.Modified;
        db.Stamp();
        db.AddEvent(survivor.Updated());
        foreach (var consent in await db.Consents.AsNoTracking().Where(c => changedConsents.Contains(c.Id)).ToListAsync(cancellationToken))
        {
            db.AddEvent(consent.Changed());
        }
        var merge = MergeChecks.Record(db, MergeKinds.Person, survivor.Id, merged, survivor.Version, before, now);
        db.AddEvent(new ContactsMerged(Guid.CreateVersion7(), now, survivor.TenantId, survivor.Id, survivor.Version,
            merge.Id, MergeKinds.Person, survivor.Id, merged));
        await db.SaveChangesAsync(cancellationToken);
        return (merge, null);
    }

    /// <summary>Every address and number of everyone, the chosen record's primary first; the rest by the chosen fields.</summary>
    private static void TakeFields(Person survivor, IReadOnlyList<Person> sources, IReadOnlyDictionary<string, Guid> choices)
    {
        Person[] everyone = [survivor, .. sources];
        Person Source(string field, Func<Person, bool> hasValue) =>
            choices.TryGetValue(field, out var id) ? everyone.First(p => p.Id == id) : everyone.FirstOrDefault(hasValue) ?? survivor;

        var emailSource = Source("email", _ => true);
        var primaryEmail = emailSource.Emails[0].Address;
        survivor.SetEmails([.. everyone.SelectMany(p => p.Emails).DistinctBy(e => e.Address)
            .Select(e => e with { Primary = e.Address == primaryEmail })]);

        var phoneSource = Source("phone", p => p.Phones.Count > 0);
        var primaryPhone = phoneSource.Phones.Count > 0 ? phoneSource.Phones[0].Number : null;
        var phones = everyone.SelectMany(p => p.Phones).DistinctBy(p => p.Number).ToList();
        primaryPhone ??= phones.FirstOrDefault()?.Number;
        survivor.SetPhones([.. phones.Select(p => p with { Primary = p.Number == primaryPhone })]);

        var preferences = Source("communicationPreferences", p => p.CommunicationPreferences != CommunicationPreferences.None).CommunicationPreferences;
        RecordMergeFields.Person.Apply(survivor, sources, choices);
        survivor.SetCommunicationPreferences(preferences);
    }

    /// <summary>Moves the merged people's relations to the survivor; returns the consents it changed.</summary>
    private static async Task<List<Guid>> RepointAsync(ContactsDbContext db, Guid survivor, Guid[] merged, DateTime now, CancellationToken cancellationToken)
    {
        var tenant = db.CurrentTenantId;
        var actor = db.CurrentActorId ?? "system";
        Guid[] all = [survivor, .. merged];
        var database = db.Database;

        await database.ExecuteSqlAsync($"""
            UPDATE affiliations SET person_id = {survivor}, version = version + 1, updated_at = {now}, updated_by = {actor}
            WHERE tenant_id = {tenant} AND person_id = ANY({merged})
            """, cancellationToken);

        // Links among the merged people and the survivor would link the survivor to themselves; links that re-pointing
        // makes equal to another (both knew the same colleague) are one link. Symmetric kinds keep the smaller id first.
        await database.ExecuteSqlAsync($"""
            DELETE FROM person_links WHERE tenant_id = {tenant} AND person_id = ANY({all}) AND related_person_id = ANY({all})
            """, cancellationToken);
        await database.ExecuteSqlAsync($"""
            WITH moved AS (
                SELECT id, type,
                       CASE WHEN person_id = ANY({merged}) THEN {survivor} ELSE person_id END AS p,
                       CASE WHEN related_person_id = ANY({merged}) THEN {survivor} ELSE related_person_id END AS r
                FROM person_links WHERE tenant_id = {tenant} AND (person_id = ANY({merged}) OR related_person_id = ANY({merged}))
            ), normalized AS (
                SELECT id, type,
                       CASE WHEN type IN ('spouse', 'colleague') AND p > r THEN r ELSE p END AS p,
                       CASE WHEN type IN ('spouse', 'colleague') AND p > r THEN p ELSE r END AS r
                FROM moved
            ), doubles AS (
                SELECT n.id FROM normalized n
                WHERE EXISTS (SELECT 1 FROM person_links o WHERE o.tenant_id = {tenant} AND o.person_id = n.p
                                AND o.related_person_id = n.r AND o.type = n.type AND o.id NOT IN (SELECT id FROM normalized))
                   OR EXISTS (SELECT 1 FROM normalized o WHERE o.p = n.p AND o.r = n.r AND o.type = n.type AND o.id < n.id)
            ), dropped AS (
                DELETE FROM person_links WHERE id IN (SELECT id FROM doubles)
            )
            UPDATE person_links l SET person_id = n.p, related_person_id = n.r, version = l.version + 1, updated_at = {now}, updated_by = {actor}
            FROM normalized n WHERE l.id = n.id AND n.id NOT IN (SELECT id FROM doubles)
            """, cancellationToken);

        // One id per source for a record: the survivor's own wins, then the first merged record's (request order).
        await database.ExecuteSqlAsync($"""
            DELETE FROM person_external_ids e WHERE e.tenant_id = {tenant} AND e.person_id = ANY({merged}) AND EXISTS (
                SELECT 1 FROM person_external_ids o WHERE o.tenant_id = {tenant} AND o.source = e.source AND o.person_id <> e.person_id
                  AND array_position({all}, o.person_id) < array_position({all}, e.person_id))
            """, cancellationToken);
        await database.ExecuteSqlAsync($"""
            UPDATE person_external_ids SET person_id = {survivor} WHERE tenant_id = {tenant} AND person_id = ANY({merged})
            """, cancellationToken);

        // Per purpose and channel the most recent statement among everyone wins: the survivor's consent takes a newer
        // merged state, or, when the survivor has none, the newest merged consent moves over. The rest stay with the
        // merged people (their history too), where an undo finds them.
        var taken = await database.SqlQuery<Guid>($"""
            WITH newest AS (
                SELECT DISTINCT ON (purpose, channel) * FROM consents
                WHERE tenant_id = {tenant} AND person_id = ANY({merged}) ORDER BY purpose, channel, changed_at DESC
            )
            UPDATE consents s SET status = n.status, valid_from = n.valid_from, valid_until = n.valid_until,
                changed_at = n.changed_at, latest_record_id = n.latest_record_id, version = s.version + 1, updated_at = {now}
            FROM newest n
            WHERE s.tenant_id = {tenant} AND s.person_id = {survivor} AND s.purpose = n.purpose AND s.channel = n.channel
              AND n.changed_at > s.changed_at
            RETURNING s.id AS "Value"
            """).ToListAsync(cancellationToken);
        var moved = await database.SqlQuery<Guid>($"""
            WITH newest AS (
                SELECT DISTINCT ON (purpose, channel) * FROM consents
                WHERE tenant_id = {tenant} AND person_id = ANY({merged}) ORDER BY purpose, channel, changed_at DESC
            )
            UPDATE consents c SET person_id = {survivor}, version = c.version + 1, updated_at = {now}
            FROM newest n
            WHERE c.id = n.id AND NOT EXISTS (SELECT 1 FROM consents s WHERE s.tenant_id = {tenant} AND s.person_id = {survivor}
                AND s.purpose = n.purpose AND s.channel = n.channel)
            RETURNING c.id AS "Value"
            """).ToListAsync(cancellationToken);
        return [.. taken, .. moved];
    }
}
