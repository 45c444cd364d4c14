using CrmPlatform.Persistence;
using CrmPlatform.Service.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Service.Sla;

/// <summary>What the SLA configuration APIs share: the one-default lock, saving with problem answers, 422s naming a field.</summary>
internal static class SlaSaves
{
    /// <summary>
    /// Changes to which calendar (or policy) is a tenant's default run one at a time until the caller's transaction
    /// ends, so two of them never both find "no default" or both clear the old one.
    /// </summary>
    public static Task LockDefaultAsync(ServiceDbContext db, string kind, CancellationToken cancellationToken) =>
        db.LockForTransactionAsync($"default-{kind}:" + db.CurrentTenantId, cancellationToken);

    public static async Task<ProblemHttpResult?> SaveAsync(ServiceDbContext db, string resource, Guid id, string name, CancellationToken cancellationToken)
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
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return ApiProblems.Conflict($"There already is a {resource} named '{name}'.");
        }
        catch (DbUpdateException ex) when (ex.IsForeignKeyViolation())
        {
            return ApiProblems.Conflict($"The {resource} '{name}' is in use or refers to a record deleted while this request ran.");
        }
    }

    public static ProblemHttpResult Unprocessable(string field, string message) =>
        ApiProblems.Unprocessable(message, new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult Unprocessable(FieldErrors errors) =>
        ApiProblems.Unprocessable(string.Join(" ", errors.SelectMany(e => e.Value)), errors);
}
