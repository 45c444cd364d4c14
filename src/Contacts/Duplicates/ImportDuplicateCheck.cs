using System.Text.Json;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Imports;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Duplicates;

/// <summary>
/// An import's rows are held to the rule of a create through the API: a strong match with someone the importer can
/// see flags the row as a duplicate instead of creating a person. One query per batch, not one per row.
/// </summary>
internal sealed class ImportDuplicateCheck : IImportDuplicateCheck
{
    public async Task<IReadOnlyDictionary<int, string>> FindLikelyDuplicatesAsync(
        ContactsDbContext db, IReadOnlyList<NewPersonCandidate> candidates, CancellationToken cancellationToken)
    {
        var rowOfProbe = candidates.ToDictionary(_ => Guid.CreateVersion7(), c => c);
        var matches = await DuplicateDetection.MatchNewPeopleAsync(
            db, rowOfProbe.Select(p => (p.Key, PersonValuesProbe.From(p.Value.Values))), cancellationToken);
        var strong = matches.Where(m => m.Score >= DuplicateRules.Strong).ToList();
        var ids = strong.Select(m => m.CandidateId).Distinct().ToList();
        // Through the scoped set: someone outside the importer's record scope neither blocks a row nor is named.
        var visible = (await db.People.AsNoTracking().Where(p => ids.Contains(p.Id)).Select(p => p.Id).ToListAsync(cancellationToken))
            .ToHashSet();
        return strong
            .Where(m => visible.Contains(m.CandidateId))
            .GroupBy(m => rowOfProbe[m.ProbeId!.Value].RowNumber)
            .ToDictionary(g => g.Key, g => Reason(g.MaxBy(m => m.Score)!));
    }

    private static string Reason(DuplicateMatch match)
    {
        var rules = JsonDocument.Parse(match.Reasons).RootElement.EnumerateArray().Select(r => r.GetProperty("rule").GetString());
        return $"Likely the same as person '{match.CandidateId}' (score {match.Score}: {string.Join(", ", rules)}).";
    }
}
