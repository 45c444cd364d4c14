using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Service.Routing;

/// <summary>A support group and its queue: the agents (user ids) who take its tickets.</summary>
public sealed class SupportGroup : UnownedAuditedEntity
{
    public const int NameMaxLength = 200;
    public const int MaxMembers = 500;

    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public List<string> MemberIds { get; set; } = [];
    /// <summary>Who answers for the group's SLA: told when one of its tickets breaches (user id and/or address).</summary>
    public string? ManagerId { get; set; }
    public string? ManagerEmail { get; set; }
}

/// <summary>
/// What an agent can take and whether they take anything now. Skills are lower-case values (<c>de</c>, <c>billing</c>);
/// an agent without a profile has no skills and counts as available.
/// </summary>
public sealed class AgentProfile : UnownedAuditedEntity
{
    public const int UserIdMaxLength = 200;

    public string UserId { get; set; } = "";
    public List<string> Languages { get; set; } = [];
    public List<string> Products { get; set; } = [];
    public List<string> Topics { get; set; } = [];
    /// <summary><see cref="Availabilities"/>.</summary>
    public string Availability { get; set; } = Availabilities.Available;
    public DateTime? AvailabilityChangedAt { get; set; }
}

public static class Availabilities
{
    public const string Available = "available";
    public const string Away = "away";

    public static readonly IReadOnlyList<string> All = [Available, Away];
}

public static class RoutingMethods
{
    public const string RoundRobin = "round-robin";
    public const string LeastLoaded = "least-loaded";

    public static readonly IReadOnlyList<string> All = [RoundRobin, LeastLoaded];
}

/// <summary>The skills a rule can require of the agent: the ticket's value of each must be among the agent's.</summary>
public static class Skills
{
    public const string Language = "language";
    public const string Product = "product";
    public const string Topic = "topic";

    public static readonly IReadOnlyList<string> All = [Language, Product, Topic];
}
