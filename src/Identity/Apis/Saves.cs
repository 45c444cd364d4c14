using CrmPlatform.Identity.Data;
using CrmPlatform.Persistence;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Identity.Apis;

internal static class Saves
{
    /// <summary>
    /// Saves, turning the races the handlers' checks cannot see into problems: someone else's edit of the record (or
    /// of a team or user whose membership changed with it) is a 412, a duplicate email or client id that slipped in
    /// meanwhile is a 409.
    /// </summary>
    public static async Task<ProblemHttpResult?> SaveAsync(
        IdentityDbContext db, string resource, Guid id, string? duplicateDetail = null, CancellationToken cancellationToken = default)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(resource, id);
        }
        catch (DbUpdateException ex) when (duplicateDetail is not null && ex.IsUniqueViolation())
        {
            return ApiProblems.Conflict(duplicateDetail);
        }
    }

    /// <summary>Ids in a request that name no record the caller can see (another tenant's look the same as none).</summary>
    public static ProblemHttpResult UnknownIds(string field, string resource, IEnumerable<Guid> missing) =>
        ApiProblems.Unprocessable($"Some {field} name no {resource}.",
            new Dictionary<string, string[]> { [field] = [.. missing.Select(id => $"No {resource} with id '{id}'.")] });
}
