using System.Text.Json;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Audit;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Data;

/// <summary>
/// Records consent statements: the consent's new state, its history row, the <see cref="ConsentChanged"/> event in the
/// outbox and an entry in the person's audit log, all added to the caller's unit of work so they commit together.
/// Callers run inside a transaction that has locked the person (<see cref="LockPersonAsync"/>), so a statement and the
/// person's deletion cannot cross.
/// </summary>
internal static class ConsentLedger
{
    /// <summary>
    /// Whether the person exists and is in the caller's scope; if so, holds a share lock on it until the transaction
    /// ends, which makes a concurrent deletion wait for the statement (and withdraw it) rather than miss it.
    /// </summary>
    public static Task<bool> LockPersonAsync(this ContactsDbContext db, Guid personId, CancellationToken cancellationToken) =>
        db.People.FromSql($"SELECT * FROM people WHERE id = {personId} FOR SHARE").AnyAsync(cancellationToken);

    /// <summary>The person's consent for the purpose and channel, if any, locked until the transaction ends.</summary>
    public static Task<Consent?> LockConsentAsync(this ContactsDbContext db, Guid personId, string purpose, string channel, CancellationToken cancellationToken) =>
        db.Consents
            .FromSql($"SELECT * FROM consents WHERE person_id = {personId} AND purpose = {purpose} AND channel = {channel} FOR UPDATE")
            .SingleOrDefaultAsync(cancellationToken);

    /// <summary>
    /// Applies <paramref name="state"/> to the person's consent for the purpose and channel (started if there is none),
    /// with the consent's row locked so concurrent statements about it apply one after the other.
    /// </summary>
    public static async Task<ConsentRecord> RecordConsentAsync(
        this ContactsDbContext db, Guid personId, string purpose, string channel, Func<Consent, ConsentRecord> state, DateTime now,
        CancellationToken cancellationToken)
    {
        var consent = await db.LockConsentAsync(personId, purpose, channel, cancellationToken);
        var before = consent is null ? null : AuditState(consent);
        consent ??= db.Consents.Add(Consent.Start(personId, purpose, channel)).Entity;
        var record = state(consent);
        Append(db, consent, record, before, now);
        return record;
    }

    /// <summary>
    /// A deleted person may no longer be contacted: every consent still granted is withdrawn, which tells every
    /// subscriber. The history stays (see the architecture notes on deletion).
    /// </summary>
    /// <returns>How many consents were withdrawn.</returns>
    public static async Task<int> WithdrawAllForDeletionAsync(
        this ContactsDbContext db, Guid personId, DateTime now, CancellationToken cancellationToken, string reason = "The person was deleted.")
    {
        var granted = await db.Consents.Where(c => c.PersonId == personId && c.Status == ConsentValues.Granted).ToListAsync(cancellationToken);
        foreach (var consent in granted)
        {
            var before = AuditState(consent);
            var record = consent.Withdraw("api", reason, ConsentEvidence.None, Actor(db), now);
            Append(db, consent, record, before, now);
        }
        return granted.Count;
    }

    public static string Actor(ContactsDbContext db) => db.CurrentActorId ?? "system";

    private const int StatementAttempts = 3;

    /// <summary>
    /// Runs <paramref name="statement"/> (a transaction of its own) again when another first statement about the same
    /// consent committed meanwhile (the unique consent per person, purpose and channel), so this one applies after it;
    /// after three such races, a 409.
    /// </summary>
    public static async Task<TResult> RetryWhenFirstStatementsRaceAsync<TResult>(
        this ContactsDbContext db, Func<Task<TResult>> statement, Func<ProblemHttpResult, TResult> conflict)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await statement();
            }
            catch (DbUpdateException ex) when (ex.IsUniqueViolation())
            {
                db.ChangeTracker.Clear();
                if (attempt == StatementAttempts)
                {
                    return conflict(ApiProblems.Conflict("Other statements about this consent kept arriving at the same time; retry."));
                }
            }
        }
    }

    private static void Append(ContactsDbContext db, Consent consent, ConsentRecord record, object? before, DateTime now)
    {
        db.ConsentRecords.Add(record);
        db.Stamp();
        record.Version = consent.Version;
        db.AddEvent(consent.Changed());
        // Consent is personal data: the person's audit log shows each change beside the edits to the person.
        db.Set<AuditEntry>().Add(new AuditEntry
        {
            CreatedAt = now,
            EntityType = "person",
            EntityId = consent.PersonId,
            Action = $"consent-{consent.Status}",
            ActorId = record.RecordedBy,
            Changes = JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                [$"consent.{consent.Purpose}.{consent.Channel}"] = new { from = before, to = AuditState(consent) },
            }),
        });
    }

    private static object AuditState(Consent consent) => new { status = consent.Status, validFrom = consent.ValidFrom, validUntil = consent.ValidUntil };
}
