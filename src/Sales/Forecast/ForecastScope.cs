using System.Security.Claims;
using CrmPlatform.Persistence.TeamDirectory;
using CrmPlatform.Sales.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Forecast;

/// <summary>
/// Whose numbers a caller's forecast holds: a rep their own; a sales manager their own and their teams' members'
/// (teams from the team directory Identity's events keep); everyone else the tenant's. Narrower than the opportunity
/// record scope for reps on purpose: a rep's forecast is what they answer for, not their teammates' deals.
/// </summary>
public sealed record ForecastScope(bool WholeTenant, IReadOnlyList<string> OwnerIds, IReadOnlyList<DirectoryTeam> Teams)
{
    public bool Covers(string ownerId) => WholeTenant || OwnerIds.Contains(ownerId);

    public static async Task<ForecastScope> ForAsync(SalesDbContext db, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var teams = db.Set<DirectoryTeam>().AsNoTracking().Where(t => t.TenantId == db.CurrentTenantId && !t.IsDeleted);
        if (db.SeesWholeTenant)
        {
            return new ForecastScope(true, [], await teams.OrderBy(t => t.Name).ToListAsync(cancellationToken));
        }
        var actor = db.CurrentActorId ?? "";
        if (!user.IsInRole(Roles.SalesManager))
        {
            return new ForecastScope(false, [actor], []);
        }
        var managed = await teams.Where(t => t.MemberIds.Contains(actor)).OrderBy(t => t.Name).ToListAsync(cancellationToken);
        return new ForecastScope(false, [.. managed.SelectMany(t => t.MemberIds).Append(actor).Distinct()], managed);
    }

    /// <summary>The platform's own work (the weekly snapshot): the whole tenant.</summary>
    public static readonly ForecastScope Tenant = new(true, [], []);

    /// <summary>Only <paramref name="ownerIds"/>, of those this scope covers.</summary>
    public ForecastScope Narrowed(IReadOnlyCollection<string> ownerIds, IReadOnlyList<DirectoryTeam> teams) =>
        new(false, [.. ownerIds.Where(Covers).Distinct()], teams);
}
