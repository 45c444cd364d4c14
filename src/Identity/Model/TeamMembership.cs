using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Identity.Model;

/// <summary>A user's place in a team. Part of both: changing it gives the user and the team a new version and an event.</summary>
public sealed class TeamMembership : ITenantOwned
{
    public Guid TeamId { get; init; }
    public Guid UserId { get; init; }
    public Guid TenantId { get; set; }
}
