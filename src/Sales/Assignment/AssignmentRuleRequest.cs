using CrmPlatform.Sales.Leads;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Sales.Assignment;

/// <summary>
/// An assignment rule as written: <c>name</c>, <c>position</c>, <c>isActive</c>, the criteria (<c>countries</c>,
/// <c>regions</c>, <c>postalCodePrefixes</c>, <c>industries</c>, <c>productInterests</c>, <c>sources</c>), and exactly
/// one target: <c>targetTeamId</c> with a <c>method</c> (round-robin, least-loaded) or <c>targetUserId</c>.
/// </summary>
public sealed record AssignmentRuleRequest(
    string? Name, int? Position, bool? IsActive,
    IReadOnlyList<string?>? Countries, IReadOnlyList<string?>? Regions, IReadOnlyList<string?>? PostalCodePrefixes,
    IReadOnlyList<string?>? Industries, IReadOnlyList<string?>? ProductInterests, IReadOnlyList<string?>? Sources,
    Guid? TargetTeamId, string? TargetUserId, string? Method)
{
    public FieldErrors Validate()
    {
        var errors = new FieldErrors()
            .Required("name", Name, AssignmentRule.NameMaxLength)
            .When(Position is < 0, "position", "position is 0 or more.")
            .When(TargetTeamId is null == string.IsNullOrWhiteSpace(TargetUserId), "targetTeamId",
                "Give exactly one target: targetTeamId (a team, with a method) or targetUserId.")
            .MaxLength("targetUserId", TargetUserId, 200)
            .When(Method is not null && !AssignmentMethods.All.Contains(Method), "method",
                $"method must be one of: {string.Join(", ", AssignmentMethods.All)}.")
            .When(Method is not null && TargetUserId is not null, "method", "method applies to team targets only.");
        Values("countries", Countries, errors, c => c.Length == 2 && c.All(char.IsAsciiLetter), "an ISO 3166-1 alpha-2 code (DE, FR)");
        Values("regions", Regions, errors);
        Values("postalCodePrefixes", PostalCodePrefixes, errors, p => AssignmentRule.NormalizePostalCode(p).Length is > 0 and <= 20, "a postal code's beginning (80, SW1)");
        Values("industries", Industries, errors);
        Values("productInterests", ProductInterests, errors);
        Values("sources", Sources, errors, s => LeadSources.All.Contains(s), $"one of: {string.Join(", ", LeadSources.All)}");
        return errors;
    }

    private static void Values(string field, IReadOnlyList<string?>? values, FieldErrors errors, Func<string, bool>? valid = null, string? expected = null)
    {
        if (values is null)
        {
            return;
        }
        errors.When(values.Count > AssignmentRule.MaxValues, field, $"{field} has at most {AssignmentRule.MaxValues} values.");
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i]?.Trim();
            if (string.IsNullOrEmpty(value) || value.Length > AssignmentRule.ValueMaxLength)
            {
                errors.Add($"{field}[{i}]", $"A value is 1 to {AssignmentRule.ValueMaxLength} characters.");
            }
            else if (valid is not null && !valid(value))
            {
                errors.Add($"{field}[{i}]", $"'{value}' is not {expected}.");
            }
        }
    }

    /// <summary>Call after <see cref="Validate"/> found nothing.</summary>
    public void ApplyTo(AssignmentRule rule)
    {
        static List<string> Clean(IReadOnlyList<string?>? values, Func<string, string>? normalize = null) =>
            [.. (values ?? []).Select(v => normalize is null ? v!.Trim() : normalize(v!.Trim())).Distinct()];
        rule.Name = Name!.Trim();
        rule.Position = Position ?? 0;
        rule.IsActive = IsActive ?? true;
        rule.Countries = Clean(Countries, c => c.ToUpperInvariant());
        rule.Regions = Clean(Regions);
        rule.PostalCodePrefixes = Clean(PostalCodePrefixes, AssignmentRule.NormalizePostalCode);
        rule.Industries = Clean(Industries);
        rule.ProductInterests = Clean(ProductInterests);
        rule.Sources = Clean(Sources);
        rule.TargetTeamId = TargetTeamId;
        rule.TargetUserId = string.IsNullOrWhiteSpace(TargetUserId) ? null : TargetUserId.Trim();
        rule.Method = rule.TargetUserId is null ? Method ?? AssignmentMethods.RoundRobin : AssignmentMethods.RoundRobin;
    }
}

public sealed record AssignmentRuleResponse(
    Guid Id, string Name, int Position, bool IsActive,
    IReadOnlyList<string> Countries, IReadOnlyList<string> Regions, IReadOnlyList<string> PostalCodePrefixes,
    IReadOnlyList<string> Industries, IReadOnlyList<string> ProductInterests, IReadOnlyList<string> Sources,
    Guid? TargetTeamId, string? TargetUserId, string Method, long RoundRobinTurns,
    DateTime CreatedAt, string? CreatedBy, DateTime UpdatedAt, string? UpdatedBy, int Version)
{
    public static AssignmentRuleResponse From(AssignmentRule r) => new(
        r.Id, r.Name, r.Position, r.IsActive, r.Countries, r.Regions, r.PostalCodePrefixes, r.Industries, r.ProductInterests, r.Sources,
        r.TargetTeamId, r.TargetUserId, r.Method, r.RoundRobinTurns, r.CreatedAt, r.CreatedBy, r.UpdatedAt, r.UpdatedBy, r.Version);
}

public sealed record LeadAssignmentResponse(
    Guid Id, Guid LeadId, Guid? RuleId, string? PreviousOwnerId, string? OwnerId, string Reason, string Trigger, DateTime AssignedAt, string AssignedBy)
{
    public static LeadAssignmentResponse From(LeadAssignment a) =>
        new(a.Id, a.LeadId, a.RuleId, a.PreviousOwnerId, a.OwnerId, a.Reason, a.Trigger, a.AssignedAt, a.AssignedBy);
}
