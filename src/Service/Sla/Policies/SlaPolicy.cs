using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Service.Sla.Policies;

/// <summary>
/// How fast support answers and resolves, per ticket priority, in business time of a calendar; and at what share of a
/// target agents are warned. A tenant has at most one default policy: tickets of organizations without a valid service
/// contract get it. Tenant configuration (no record scope).
/// </summary>
public sealed class SlaPolicy : UnownedAuditedEntity
{
    public const int NameMaxLength = 100;

    public string Name { get; set; } = "";

    public bool IsDefault { get; set; }

    /// <summary>The calendar its clocks run on; null means the tenant's default calendar (or around the clock without one).</summary>
    public Guid? CalendarId { get; set; }

    /// <summary>At this percentage of a target's business time used, <c>SlaWarning</c> is published (1–99).</summary>
    public int WarningPercent { get; set; } = 80;

    /// <summary>One per priority (<see cref="SlaPriorities.All"/>).</summary>
    public IReadOnlyList<SlaTarget> Targets { get; set; } = [];

    public SlaTarget? TargetFor(string priority) => Targets.FirstOrDefault(t => t.Priority == priority);
}

/// <summary>A priority's targets, in business minutes: until the first public reply, and until the ticket is solved.</summary>
public sealed record SlaTarget(string Priority, int FirstResponseMinutes, int ResolutionMinutes);

/// <summary>Ticket priorities, as tickets write them.</summary>
public static class SlaPriorities
{
    public const string Low = "low";
    public const string Normal = "normal";
    public const string High = "high";
    public const string Urgent = "urgent";

    public static readonly IReadOnlyList<string> All = [Low, Normal, High, Urgent];
}
