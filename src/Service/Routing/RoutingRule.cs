using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.Service.Tickets;

namespace CrmPlatform.Service.Routing;

/// <summary>
/// Which group takes a ticket nobody is assigned to: the first active rule, by <see cref="Position"/>, whose criteria the
/// ticket meets (within a criterion any listed value matches, across criteria all must, an empty one matches any
/// ticket). The group's available members with the <see cref="RequiredSkills"/> then share its tickets by
/// <see cref="Method"/>.
/// </summary>
public sealed class RoutingRule : UnownedAuditedEntity
{
    public const int NameMaxLength = 200;
    public const int MaxValues = 100;

    public string Name { get; set; } = "";
    public int Position { get; set; }
    public bool IsActive { get; set; } = true;

    public List<string> Languages { get; set; } = [];
    public List<string> Products { get; set; } = [];
    public List<string> Topics { get; set; } = [];
    public List<string> Categories { get; set; } = [];
    public List<string> Priorities { get; set; } = [];

    public Guid TargetGroupId { get; set; }
    public string Method { get; set; } = RoutingMethods.RoundRobin;
    /// <summary>Of <see cref="Skills"/>.</summary>
    public List<string> RequiredSkills { get; set; } = [];

    /// <summary>
    /// Turns round robin has handed out under this rule: advanced by one atomic update per ticket (never through the
    /// entity, so neither the version nor the audit log moves), so concurrent tickets each get their own turn.
    /// </summary>
    public long RoundRobinTurns { get; set; }

    /// <summary>Why the ticket matches (<c>language=de and priority=urgent</c>), or null when it does not.</summary>
    public string? Match(Ticket ticket)
    {
        var reasons = new List<string>();
        bool Meets(string name, List<string> values, string? value)
        {
            if (values.Count == 0)
            {
                return true;
            }
            if (value is null || !values.Contains(value.ToLowerInvariant()))
            {
                return false;
            }
            reasons.Add($"{name}={value}");
            return true;
        }
        var matches = Meets("language", Languages, LanguageOf(ticket.Language))
            && Meets("product", Products, ticket.Product)
            && Meets("topic", Topics, ticket.Topic)
            && Meets("category", Categories, ticket.Category)
            && Meets("priority", Priorities, ticket.Priority);
        return !matches ? null : reasons.Count == 0 ? "any ticket" : string.Join(" and ", reasons);
    }

    /// <summary>A rule or skill for <c>de</c> covers <c>de-at</c>.</summary>
    public static string? LanguageOf(string? tag) => tag?.Split('-')[0].ToLowerInvariant();
}

/// <summary>One assignment of a ticket: by whom or which rule, to whom, and why. Append-only: the ticket's routing history.</summary>
public sealed class TicketAssignment : Entity
{
    public Guid TicketId { get; set; }
    public Guid? RuleId { get; set; }
    public Guid? GroupId { get; set; }
    public string? AssigneeId { get; set; }
    public string? PreviousAssigneeId { get; set; }
    public string Reason { get; set; } = "";
    /// <summary><c>creation</c>, <c>on-demand</c> or <c>manual</c>.</summary>
    public string Trigger { get; set; } = "";
    public string AssignedBy { get; set; } = "";
}
