using System.Text.Json;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Contracts.Contacts.V1;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace CrmPlatform.Contacts.Duplicates;

/// <summary>One scored candidate: who, how sure, and why.</summary>
public sealed record DuplicateMatch(Guid? ProbeId, Guid CandidateId, int Score, string Reasons);

/// <summary>A candidate as the API shows it.</summary>
public sealed record DuplicateCandidate(Guid Id, string DisplayName, int Score, string Strength, JsonElement Reasons)
{
    public static string StrengthOf(int score) => score >= DuplicateRules.Strong ? "strong" : "possible";
}

/// <summary>Runs <see cref="DuplicateRules"/>: for a record being created, for one just saved, and for the scan's batches.</summary>
internal static class DuplicateDetection
{
    public static Task<List<DuplicateMatch>> MatchNewPersonAsync(ContactsDbContext db, PersonValuesProbe probe, CancellationToken cancellationToken) =>
        MatchNewPeopleAsync(db, [(null, probe)], cancellationToken);

    /// <summary>
    /// Several records about to be created at once (an import's batch), in one query; each match names its probe's id.
    /// <paramref name="strongOnly"/>: only candidates that can be strong matches are looked for (see <see cref="DuplicateRules.PersonMatches"/>).
    /// </summary>
    public static Task<List<DuplicateMatch>> MatchNewPeopleAsync(
        ContactsDbContext db, IReadOnlyList<(Guid? Id, PersonValuesProbe Values)> probes, CancellationToken cancellationToken, bool strongOnly = false) =>
        ScorePeopleAsync(db, DuplicateRules.PersonMatches(DuplicateRules.PersonProbeFromValues, strongOnly), cancellationToken,
            new NpgsqlParameter("probes", NpgsqlDbType.Jsonb)
            {
                Value = JsonSerializer.Serialize(probes.Select(p => new
                {
                    id = p.Id,
                    first_name = p.Values.FirstName,
                    last_name = p.Values.LastName,
                    emails = p.Values.Emails.ToArray(),
                    phones = p.Values.Phones.ToArray(),
                    organization_id = p.Values.OrganizationId,
                })),
            });

    public static Task<List<DuplicateMatch>> MatchNewOrganizationAsync(ContactsDbContext db, string name, string? domain, CancellationToken cancellationToken) =>
        MatchNewOrganizationsAsync(db, [(null, name, domain)], cancellationToken);

    /// <summary>Several organizations about to be created at once (a bulk write), in one query; each match names its probe's id.</summary>
    public static Task<List<DuplicateMatch>> MatchNewOrganizationsAsync(
        ContactsDbContext db, IReadOnlyList<(Guid? Id, string Name, string? Domain)> probes, CancellationToken cancellationToken) =>
        QueryAsync(db, DuplicateRules.OrganizationMatches(DuplicateRules.OrganizationProbeFromValues), cancellationToken,
            new NpgsqlParameter("probes", NpgsqlDbType.Jsonb)
            {
                Value = JsonSerializer.Serialize(probes.Select(p => new { id = p.Id, name = p.Name, domain = p.Domain })),
            });

    public static Task<List<DuplicateMatch>> MatchStoredAsync(ContactsDbContext db, string kind, Guid[] ids, CancellationToken cancellationToken)
    {
        var parameter = new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = ids };
        return kind == MergeKinds.Person
            ? ScorePeopleAsync(db, DuplicateRules.PersonMatches(DuplicateRules.PersonProbeFromRows), cancellationToken, parameter)
            : QueryAsync(db, DuplicateRules.OrganizationMatches(DuplicateRules.OrganizationProbeFromRows), cancellationToken, parameter);
    }

    /// <summary>
    /// Lists what a saved record now looks like a duplicate of, for review. An update is not blocked: the record
    /// exists already, and refusing an edit (often the one that fixes a typo) helps nobody; a reviewer merges or dismisses.
    /// </summary>
    public static async Task RecordForReviewAsync(ContactsDbContext db, string kind, Guid id, DateTime now, CancellationToken cancellationToken) =>
        await RecordAsync(db, kind, await MatchStoredAsync(db, kind, [id], cancellationToken), now, cancellationToken);

    /// <summary>Upserts pairs; a dismissed pair stays dismissed, an open one takes the new score and reasons.</summary>
    public static async Task<int> RecordAsync(ContactsDbContext db, string kind, List<DuplicateMatch> matches, DateTime now, CancellationToken cancellationToken)
    {
        var pairs = matches
            .Where(m => m.ProbeId is not null)
            .Select(m => (Low: Min(m.ProbeId!.Value, m.CandidateId), High: Max(m.ProbeId!.Value, m.CandidateId), m.Score, m.Reasons))
            .DistinctBy(p => (p.Low, p.High))
            .ToList();
        foreach (var (low, high, score, reasons) in pairs)
        {
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO duplicate_pairs (id, tenant_id, created_at, updated_at, kind, record_id, other_id, score, reasons, status)
                VALUES ({Guid.CreateVersion7()}, {db.CurrentTenantId}, {now}, {now}, {kind}, {low}, {high}, {score}, {reasons}::jsonb, 'open')
                ON CONFLICT (tenant_id, kind, record_id, other_id) DO UPDATE SET score = EXCLUDED.score, reasons = EXCLUDED.reasons,
                    updated_at = EXCLUDED.updated_at WHERE duplicate_pairs.status = 'open'
                """, cancellationToken);
        }
        return pairs.Count;
    }

    private static Guid Min(Guid a, Guid b) => a.CompareTo(b) <= 0 ? a : b;
    private static Guid Max(Guid a, Guid b) => a.CompareTo(b) <= 0 ? b : a;

    private static Task<List<DuplicateMatch>> QueryAsync(ContactsDbContext db, string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters) =>
        db.Database.SqlQueryRaw<DuplicateMatch>(sql, [new NpgsqlParameter("tenant", NpgsqlDbType.Uuid) { Value = db.CurrentTenantId }, .. parameters])
            .ToListAsync(cancellationToken);

    private static async Task<List<DuplicateMatch>> ScorePeopleAsync(ContactsDbContext db, string sql, CancellationToken cancellationToken, NpgsqlParameter parameter)
    {
        var evidence = await db.Database.SqlQueryRaw<PersonEvidence>(sql, new NpgsqlParameter("tenant", NpgsqlDbType.Uuid) { Value = db.CurrentTenantId }, parameter)
            .ToListAsync(cancellationToken);
        return [.. evidence.Select(PersonScoring.Score).OfType<DuplicateMatch>()];
    }
}

/// <summary>What a new person is compared by.</summary>
public sealed record PersonValuesProbe(string FirstName, string LastName, IEnumerable<string> Emails, IEnumerable<string> Phones, Guid? OrganizationId)
{
    public static PersonValuesProbe From(Apis.PersonValues values) => new(values.FirstName, values.LastName,
        values.Emails.Select(e => e.Address), values.Phones.Select(p => p.Number), values.OrganizationId);
}
