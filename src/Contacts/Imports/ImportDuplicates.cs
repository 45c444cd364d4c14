using CrmPlatform.Contacts.Apis;
using System.Text.Json.Nodes;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Duplicates;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Imports;

/// <summary>A row about to create a person, as the duplicate check sees it.</summary>
public sealed record NewPersonCandidate(int RowNumber, PersonValues Values);

/// <summary>
/// The seam for likely-duplicate detection beyond exact email and external-id matches (which the importer does
/// itself): rows it names are flagged as duplicates, with its reason, instead of creating a person.
/// </summary>
public interface IImportDuplicateCheck
{
    /// <summary>Reasons by row number for the candidates that probably are someone already in the tenant.</summary>
    Task<IReadOnlyDictionary<int, string>> FindLikelyDuplicatesAsync(
        ContactsDbContext db, IReadOnlyList<NewPersonCandidate> candidates, CancellationToken cancellationToken);
}

/// <summary>
/// The duplicate rules of a create (<see cref="DuplicateDetection"/>), for a whole batch in one query: a row with a
/// strong match among the people the importer can see is set aside as a duplicate, with the candidate and the rules'
/// explanations as its reason, as a create without <c>allowDuplicates</c> would answer 409; so is a row strongly
/// matching an earlier row of the same batch (<see cref="InBatchDuplicates"/>), which is not stored yet. Name candidates are found
/// by an index equality on the name's sound (<c>people.name_sound</c>), not by trigram similarity, which took over 30 s
/// per 1,000-row batch once 6,000 people were stored.
/// </summary>
internal sealed class LikelyDuplicatesByRules : IImportDuplicateCheck
{
    public async Task<IReadOnlyDictionary<int, string>> FindLikelyDuplicatesAsync(
        ContactsDbContext db, IReadOnlyList<NewPersonCandidate> candidates, CancellationToken cancellationToken)
    {
        var rowOf = candidates.ToDictionary(_ => Guid.CreateVersion7(), c => c);
        var matches = await DuplicateDetection.MatchNewPeopleAsync(db,
            [.. rowOf.Select(r => ((Guid?)r.Key, PersonValuesProbe.From(r.Value.Values)))], cancellationToken, strongOnly: true);
        var strong = matches.Where(m => m.Score >= DuplicateRules.Strong).ToList();
        var ids = strong.Select(m => m.CandidateId).Distinct().ToList();
        var visible = await db.People.AsNoTracking().Where(p => ids.Contains(p.Id)).Select(p => p.Id).ToListAsync(cancellationToken);
        var flagged = strong.Where(m => visible.Contains(m.CandidateId))
            .GroupBy(m => rowOf[m.ProbeId!.Value].RowNumber)
            .ToDictionary(g => g.Key, g => Describe(g.MaxBy(m => m.Score)!));
        foreach (var (row, (earlier, match)) in InBatchDuplicates.Find([.. candidates.Where(c => !flagged.ContainsKey(c.RowNumber))]))
        {
            flagged[row] = $"Likely the same person as row {earlier} (score {match.Score}): {Reasons(match)}.";
        }
        return flagged;
    }

    private static string Describe(DuplicateMatch match) =>
        $"Likely the existing person '{match.CandidateId}' (score {match.Score}): {Reasons(match)}.";

    /// <summary>A match's reasons as one sentence: each rule's explanation, or its name and values.</summary>
    public static string Reasons(DuplicateMatch match) => string.Join("; ", JsonNode.Parse(match.Reasons)!.AsArray()
        .Select(r => r!["explanation"]?.GetValue<string>() ?? $"{r["rule"]} ({string.Join(", ", r["values"]!.AsArray().Select(v => v?.ToString()))})"));
}
