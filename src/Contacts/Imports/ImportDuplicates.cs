using CrmPlatform.Contacts.Apis;
using CrmPlatform.Contacts.Data;

namespace CrmPlatform.Contacts.Imports;

/// <summary>A row about to create a person, as the duplicate check sees it.</summary>
public sealed record NewPersonCandidate(int RowNumber, PersonValues Values);

/// <summary>
/// The seam for likely-duplicate detection beyond exact email and external-id matches (which the importer does
/// itself): rows it names are flagged as duplicates, with its reason, instead of creating a person. The duplicate rules
/// provide it (<c>Duplicates/ImportDuplicateCheck</c>).
/// </summary>
public interface IImportDuplicateCheck
{
    /// <summary>Reasons by row number for the candidates that probably are someone already in the tenant.</summary>
    Task<IReadOnlyDictionary<int, string>> FindLikelyDuplicatesAsync(
        ContactsDbContext db, IReadOnlyList<NewPersonCandidate> candidates, CancellationToken cancellationToken);
}
