using CrmPlatform.Contacts.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Merging;

/// <summary>
/// Reads of a merged id: a 404 problem that names the survivor (<c>mergedIntoId</c>, <c>mergeId</c>, and the
/// survivor's URL in <c>survivor</c>) rather than a redirect: a redirect would be followed without the caller's token
/// by most HTTP clients, and the merged record is gone, not moved; it exists again only if the merge is undone.
/// </summary>
internal static class MergedRecords
{
    public static async Task<ProblemHttpResult?> ProblemAsync(ContactsDbContext db, string resource, string path, Guid id, CancellationToken cancellationToken)
    {
        var merge = await db.Merges.AsNoTracking()
            .Where(m => m.MergedIds.Contains(id) && m.UndoneAt == null)
            .OrderByDescending(m => m.CreatedAt)
            .FirstOrDefaultAsync(cancellationToken);
        if (merge is null)
        {
            return null;
        }
        return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Merged",
            detail: $"The {resource} '{id}' was merged into '{merge.SurvivorId}'.",
            extensions: new Dictionary<string, object?>
            {
                ["mergedIntoId"] = merge.SurvivorId,
                ["mergeId"] = merge.Id,
                ["survivor"] = $"{path}/{merge.SurvivorId}",
            });
    }
}
