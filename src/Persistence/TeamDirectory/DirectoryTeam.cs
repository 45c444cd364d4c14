using CrmPlatform.Persistence.Replicas;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Persistence.TeamDirectory;

/// <summary>
/// A service's copy of a team from Identity: who is in it. Record scopes use it to let team members see each other's
/// records without asking Identity on every query.
/// </summary>
public sealed class DirectoryTeam : ReplicaRow
{
    public string Name { get; set; } = "";
    /// <summary>Member user ids as the tokens' <c>sub</c> carries them.</summary>
    public List<string> MemberIds { get; set; } = [];
}

public static class TeamDirectoryModel
{
    public static ModelBuilder AddTeamDirectory(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<DirectoryTeam>(team =>
        {
            team.ToTable("directory_teams");
            team.HasKey(t => t.Id);
            team.Property(t => t.Id).ValueGeneratedNever();
            team.Property(t => t.Name).HasMaxLength(200);
            team.Property(t => t.Version).IsConcurrencyToken();
            team.HasIndex(t => t.TenantId);
            // Finds the teams of a user (member_ids @> ARRAY[user]) without scanning them all.
            team.HasIndex(t => t.MemberIds).HasMethod("gin");
        });
        return modelBuilder;
    }
}
