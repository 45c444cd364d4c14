using System.Text.Json;
using CrmPlatform.Contacts.Apis;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Model;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Imports;

/// <summary>
/// Undoing an import: the people it created are deleted (with <c>PersonDeleted</c>, as the API deletes) and the
/// people it updated get their before-image back (with <c>PersonUpdated</c>). A person changed since the import is
/// not the import's to undo: the revert is refused while there are any, and one changed while it runs is left alone.
/// </summary>
internal static class ImportRevert
{
    private static IQueryable<ImportRow> Undoable(ContactsDbContext db, Guid jobId) =>
        db.ImportRows.Where(r => r.JobId == jobId && !r.Reverted && (r.Outcome == ImportOutcome.Created || r.Outcome == ImportOutcome.Updated));

    /// <summary>People the import wrote who were changed (or deleted) since: their ids (the first <paramref name="max"/>) and how many.</summary>
    public static async Task<(List<Guid> Ids, int Count)> ChangedSinceAsync(ContactsDbContext db, Guid jobId, int max, CancellationToken cancellationToken)
    {
        var changed = Undoable(db, jobId).Where(r => !db.People.Any(p => p.Id == r.PersonId && p.Version == r.VersionAfter));
        var count = await changed.CountAsync(cancellationToken);
        var ids = await changed.OrderBy(r => r.RowNumber).Select(r => r.PersonId!.Value).Take(max).ToListAsync(cancellationToken);
        return (ids, count);
    }

    /// <summary>Reverts the last rows not yet reverted, newest first; false when none were left.</summary>
    public static async Task<bool> RevertBatchAsync(ContactsDbContext db, ImportJob job, int batchSize, DateTime now, CancellationToken cancellationToken)
    {
        var rows = await Undoable(db, job.Id).OrderByDescending(r => r.RowNumber).Take(batchSize).ToListAsync(cancellationToken);
        if (rows.Count == 0)
        {
            return false;
        }
        var ids = rows.Select(r => r.PersonId!.Value).ToList();
        var people = await db.People.Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, cancellationToken);
        var deleted = new List<Person>();
        var restored = new List<Person>();
        foreach (var row in rows)
        {
            row.Reverted = true;
            if (!people.TryGetValue(row.PersonId!.Value, out var person) || person.Version != row.VersionAfter)
            {
                job.RevertSkipped++;
                continue;
            }
            if (row.Outcome == ImportOutcome.Created)
            {
                await db.WithdrawAllForDeletionAsync(person.Id, now, cancellationToken);
                db.People.Remove(person);
                deleted.Add(person);
            }
            else
            {
                Restore(person, row.Before!);
                restored.Add(person);
            }
            job.RevertedRows++;
        }
        db.Stamp();
        foreach (var person in deleted)
        {
            db.AddEvent(person.Deleted(now));
        }
        foreach (var person in restored.Where(p => db.Entry(p).State == EntityState.Modified))
        {
            db.AddEvent(person.Updated());
        }
        return true;
    }

    private static void Restore(Person person, string before)
    {
        var was = JsonSerializer.Deserialize<PersonResponse>(before, JsonColumns.Options)!;
        new PersonValues(was.FirstName, was.LastName, was.Emails, was.Phones, was.Addresses, was.JobTitle, was.Language,
                was.CommunicationPreferences, [.. was.Tags], was.OwnerId, was.OrganizationId,
                new Classification(was.Segment, was.Industry, was.Rating, was.LifecycleStage),
                JsonDocument.Parse(was.CustomFields.GetRawText()))
            .ApplyTo(person);
    }
}
