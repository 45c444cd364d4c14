using CrmPlatform.Identity.Model;
using CrmPlatform.Persistence.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Identity.Data;

/// <summary>
/// Membership is part of both the user and the team: a change gives both a new version, so subscribers that hold
/// either one learn about it, and a concurrent edit of either one is caught by its version.
/// </summary>
internal static class TeamMemberships
{
    /// <summary>Teams with their members, so their events can list everyone; missing ids are simply absent.</summary>
    public static Task<Dictionary<Guid, Team>> LoadTeamsAsync(IdentityDbContext db, IEnumerable<Guid> ids, CancellationToken cancellationToken)
    {
        var wanted = ids.Distinct().ToList();
        return db.Teams.Include(t => t.Members).Where(t => wanted.Contains(t.Id)).ToDictionaryAsync(t => t.Id, cancellationToken);
    }

    /// <summary>Users with their memberships, so their events can list all their teams.</summary>
    public static Task<Dictionary<Guid, User>> LoadUsersAsync(IdentityDbContext db, IEnumerable<Guid> ids, CancellationToken cancellationToken)
    {
        var wanted = ids.Distinct().ToList();
        return db.Users.Include(u => u.Memberships).Where(u => wanted.Contains(u.Id)).ToDictionaryAsync(u => u.Id, cancellationToken);
    }

    /// <summary>
    /// Makes <paramref name="teamIds"/> the user's teams. <paramref name="teams"/> holds the user's current and new teams.
    /// Returns the teams whose members changed.
    /// </summary>
    public static List<Team> SetTeams(IdentityDbContext db, User user, IReadOnlyCollection<Guid> teamIds, IReadOnlyDictionary<Guid, Team> teams)
    {
        var changed = new List<Team>();
        foreach (var membership in user.Memberships.Where(m => !teamIds.Contains(m.TeamId)).ToList())
        {
            Unlink(db, membership, user, teams[membership.TeamId]);
            changed.Add(teams[membership.TeamId]);
        }
        foreach (var teamId in teamIds.Except(user.Memberships.Select(m => m.TeamId)).ToList())
        {
            Link(user, teams[teamId]);
            changed.Add(teams[teamId]);
        }
        changed.ForEach(team => MarkChanged(db, team));
        if (changed.Count > 0)
        {
            MarkChanged(db, user);
        }
        return changed;
    }

    /// <summary>Makes <paramref name="userIds"/> the team's members; returns the users whose teams changed.</summary>
    public static List<User> SetMembers(IdentityDbContext db, Team team, IReadOnlyCollection<Guid> userIds, IReadOnlyDictionary<Guid, User> users)
    {
        var changed = new List<User>();
        foreach (var membership in team.Members.Where(m => !userIds.Contains(m.UserId)).ToList())
        {
            Unlink(db, membership, users[membership.UserId], team);
            changed.Add(users[membership.UserId]);
        }
        foreach (var userId in userIds.Except(team.Members.Select(m => m.UserId)).ToList())
        {
            Link(users[userId], team);
            changed.Add(users[userId]);
        }
        changed.ForEach(user => MarkChanged(db, user));
        if (changed.Count > 0)
        {
            MarkChanged(db, team);
        }
        return changed;
    }

    private static void Link(User user, Team team)
    {
        var membership = new TeamMembership { TeamId = team.Id, UserId = user.Id, TenantId = team.TenantId };
        user.Memberships.Add(membership);
        team.Members.Add(membership);
    }

    private static void Unlink(IdentityDbContext db, TeamMembership membership, User user, Team team)
    {
        user.Memberships.Remove(membership);
        team.Members.Remove(membership);
        db.Remove(membership);
    }

    /// <summary>Only the membership rows change; marking a column modified makes the stamp give the record a new version.</summary>
    private static void MarkChanged(IdentityDbContext db, Entity entity)
    {
        var entry = db.Entry(entity);
        if (entry.State == EntityState.Unchanged)
        {
            entry.Property(e => e.UpdatedAt).IsModified = true;
        }
    }
}
