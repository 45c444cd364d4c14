using CrmPlatform.Sales.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Decisions;

/// <summary>The people a decision names are checked against the contact directory Sales replicates from Contacts.</summary>
internal static class DecisionContacts
{
    /// <summary>
    /// 422 naming <paramref name="field"/> when a contact is unknown to Sales or deleted, or, for one newly named
    /// (not in <paramref name="alreadyNamed"/>), has restricted processing (GDPR Art. 18). Null when all are usable.
    /// </summary>
    public static async Task<ProblemHttpResult?> CheckAsync(
        SalesDbContext db, string field, IEnumerable<Guid> contactIds, IEnumerable<Guid> alreadyNamed, CancellationToken cancellationToken)
    {
        var ids = contactIds.Distinct().ToList();
        if (ids.Count == 0)
        {
            return null;
        }
        var known = await db.DirectoryContacts.AsNoTracking().Where(c => ids.Contains(c.Id) && !c.IsDeleted)
            .Select(c => new { c.Id, c.ProcessingRestricted }).ToListAsync(cancellationToken);
        if (ids.FirstOrDefault(id => known.All(c => c.Id != id)) is var unknown && unknown != Guid.Empty)
        {
            return Unprocessable(field,
                $"Sales knows no person or organization with id '{unknown}'. A contact created moments ago may still be on its way from Contacts.");
        }
        var named = alreadyNamed.ToHashSet();
        if (known.FirstOrDefault(c => c.ProcessingRestricted && !named.Contains(c.Id)) is { } restricted)
        {
            return Unprocessable(field, $"The person '{restricted.Id}' has restricted the processing of their data; nothing new can be recorded about them.");
        }
        return null;
    }

    public static async Task<Dictionary<Guid, string>> DisplayNamesAsync(SalesDbContext db, IEnumerable<Guid> contactIds, CancellationToken cancellationToken)
    {
        var ids = contactIds.Distinct().ToList();
        return await db.DirectoryContacts.AsNoTracking().Where(c => ids.Contains(c.Id))
            .ToDictionaryAsync(c => c.Id, c => c.DisplayName, cancellationToken);
    }

    private static ProblemHttpResult Unprocessable(string field, string message) =>
        ApiProblems.Unprocessable(message, new Dictionary<string, string[]> { [field] = [message] });
}
