using CrmPlatform.Contacts.Apis;
using CrmPlatform.Contacts.Data;

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
/// Only exact matches count as duplicates during an import; the duplicate scan lists likely ones afterwards. The scoring
/// rules, run for a whole 1,000-row batch in one query, took over 30 s per batch once 6,000 people were stored
/// (61 rows/s, then the command timeout), so a million-row import cannot afford them row by row as a create does.
/// </summary>
internal sealed class ExactMatchesOnly : IImportDuplicateCheck
{
    public Task<IReadOnlyDictionary<int, string>> FindLikelyDuplicatesAsync(
        ContactsDbContext db, IReadOnlyList<NewPersonCandidate> candidates, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<int, string>>(new Dictionary<int, string>());
}
