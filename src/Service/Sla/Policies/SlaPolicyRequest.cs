using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Service.Sla.Policies;

/// <summary>A priority's targets as written: <c>priority</c>, <c>firstResponseMinutes</c>, <c>resolutionMinutes</c> (business minutes).</summary>
public sealed record SlaTargetRequest(string? Priority, int? FirstResponseMinutes, int? ResolutionMinutes);

/// <summary>A policy as written: <c>name</c>, <c>isDefault</c>, <c>calendarId</c>, <c>warningPercent</c> (default 80), <c>targets</c> (one per priority).</summary>
public sealed record SlaPolicyRequest(string? Name, bool? IsDefault, Guid? CalendarId, int? WarningPercent, IReadOnlyList<SlaTargetRequest?>? Targets)
{
    /// <summary>A year of business minutes: anything longer is a typo, not a promise.</summary>
    public const int MaxMinutes = 525_600;

    /// <summary>
    /// The policy the request describes (the calendar is checked by the caller). <paramref name="malformed"/> (400):
    /// missing or out-of-range values; <paramref name="invalid"/> (422): a priority unknown, repeated or missing, or a
    /// first response later than the resolution.
    /// </summary>
    public SlaPolicy? Read(out FieldErrors malformed, out FieldErrors invalid)
    {
        malformed = new FieldErrors()
            .Required("name", Name, SlaPolicy.NameMaxLength)
            .When(WarningPercent is < 1 or > 99, "warningPercent", "warningPercent is a whole number from 1 to 99.")
            .When(Targets is null, "targets", "targets is required: one per priority (low, normal, high, urgent).");
        invalid = new FieldErrors();
        var targets = new List<SlaTarget>();
        for (var i = 0; i < (Targets?.Count ?? 0); i++)
        {
            var path = $"targets[{i}]";
            var target = Targets![i];
            if (target is null)
            {
                malformed.Add(path, "A target cannot be null.");
                continue;
            }
            var before = malformed.Count;
            malformed.When(target.Priority is null, $"{path}.priority", "priority is required.")
                .When(target.FirstResponseMinutes is null or < 1 or > MaxMinutes, $"{path}.firstResponseMinutes", $"firstResponseMinutes is a whole number from 1 to {MaxMinutes}.")
                .When(target.ResolutionMinutes is null or < 1 or > MaxMinutes, $"{path}.resolutionMinutes", $"resolutionMinutes is a whole number from 1 to {MaxMinutes}.");
            if (malformed.Count != before)
            {
                continue;
            }
            if (!SlaPriorities.All.Contains(target.Priority))
            {
                invalid.Add($"{path}.priority", $"'{target.Priority}' is not a priority; priorities are {string.Join(", ", SlaPriorities.All)}.");
            }
            else if (targets.Any(t => t.Priority == target.Priority))
            {
                invalid.Add($"{path}.priority", $"The priority '{target.Priority}' has an earlier target.");
            }
            else if (target.FirstResponseMinutes > target.ResolutionMinutes)
            {
                invalid.Add($"{path}.firstResponseMinutes", "The first response cannot be due after the resolution.");
            }
            else
            {
                targets.Add(new SlaTarget(target.Priority!, target.FirstResponseMinutes!.Value, target.ResolutionMinutes!.Value));
            }
        }
        if (!malformed.IsValid)
        {
            return null;
        }
        var missing = SlaPriorities.All.Where(p => targets.All(t => t.Priority != p) && Targets!.All(t => t?.Priority != p)).ToList();
        invalid.When(missing.Count > 0, "targets", $"Every priority needs targets; missing: {string.Join(", ", missing)}.");
        return invalid.IsValid
            ? new SlaPolicy
            {
                Name = Name!.Trim(), IsDefault = IsDefault ?? false, CalendarId = CalendarId, WarningPercent = WarningPercent ?? 80,
                Targets = [.. targets.OrderBy(t => SlaPriorities.All.ToList().IndexOf(t.Priority))],
            }
            : null;
    }
}

public sealed record SlaPolicyResponse(
    Guid Id, string Name, bool IsDefault, Guid? CalendarId, int WarningPercent, IReadOnlyList<SlaTarget> Targets,
    DateTime CreatedAt, string? CreatedBy, DateTime UpdatedAt, string? UpdatedBy, int Version)
{
    public static SlaPolicyResponse From(SlaPolicy p) => new(
        p.Id, p.Name, p.IsDefault, p.CalendarId, p.WarningPercent, p.Targets, p.CreatedAt, p.CreatedBy, p.UpdatedAt, p.UpdatedBy, p.Version);
}
