using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.Sales.Leads;

namespace CrmPlatform.Sales.Assignment;

/// <summary>
/// Who gets a lead nobody owns: the first active rule, by <see cref="Position"/>, whose criteria the lead meets. Within
/// a criterion any listed value matches; across criteria all must; an empty criterion matches every lead.
/// </summary>
public sealed class AssignmentRule : UnownedAuditedEntity
{
    public const int NameMaxLength = 200;
    public const int MaxValues = 100;
    public const int ValueMaxLength = 200;

    public string Name { get; set; } = "";
    /// <summary>Rules are tried in ascending position; ties by creation.</summary>
    public int Position { get; set; }
    public bool IsActive { get; set; } = true;

    /// <summary>ISO 3166-1 alpha-2, upper case.</summary>
    public List<string> Countries { get; set; } = [];
    public List<string> Regions { get; set; } = [];
    /// <summary>Upper case without spaces: "80" matches 80331 and 80 999.</summary>
    public List<string> PostalCodePrefixes { get; set; } = [];
    public List<string> Industries { get; set; } = [];
    public List<string> ProductInterests { get; set; } = [];
    public List<string> Sources { get; set; } = [];

    /// <summary>A team of the team directory; the lead goes to one of its members by <see cref="Method"/>.</summary>
    public Guid? TargetTeamId { get; set; }
    /// <summary>A user; every matching lead goes to them.</summary>
    public string? TargetUserId { get; set; }
    /// <summary>One of <see cref="AssignmentMethods"/>; for team targets.</summary>
    public string Method { get; set; } = AssignmentMethods.RoundRobin;

    /// <summary>
    /// How many leads round robin has handed out under this rule. Advanced by one atomic update per lead (never through
    /// the entity, so it neither bumps the version nor writes an audit entry): concurrent creations each get their own turn.
    /// </summary>
    public long RoundRobinTurns { get; set; }

    /// <summary>The criteria <paramref name="lead"/> meets, in words ("country=DE and postal code 80*"); null when it misses one.</summary>
    public string? Match(Lead lead)
    {
        var met = new List<string>();
        if (Countries.Count > 0)
        {
            var country = lead.Country?.Trim().ToUpperInvariant();
            if (country is null || !Countries.Contains(country))
            {
                return null;
            }
            met.Add($"country={country}");
        }
        if (Regions.Count > 0)
        {
            var region = Regions.FirstOrDefault(r => string.Equals(r, lead.Region?.Trim(), StringComparison.OrdinalIgnoreCase));
            if (region is null)
            {
                return null;
            }
            met.Add($"region={region}");
        }
        if (PostalCodePrefixes.Count > 0)
        {
            var postalCode = NormalizePostalCode(lead.PostalCode);
            var prefix = PostalCodePrefixes.Where(p => postalCode.StartsWith(p, StringComparison.Ordinal)).MaxBy(p => p.Length);
            if (postalCode.Length == 0 || prefix is null)
            {
                return null;
            }
            met.Add($"postal code {prefix}*");
        }
        if (Industries.Count > 0)
        {
            var industry = Industries.FirstOrDefault(i => string.Equals(i, lead.Industry?.Trim(), StringComparison.OrdinalIgnoreCase));
            if (industry is null)
            {
                return null;
            }
            met.Add($"industry={industry}");
        }
        if (ProductInterests.Count > 0)
        {
            var interest = ProductInterests.FirstOrDefault(p => lead.ProductInterests.Contains(p, StringComparer.OrdinalIgnoreCase));
            if (interest is null)
            {
                return null;
            }
            met.Add($"product interest {interest}");
        }
        if (Sources.Count > 0)
        {
            if (!Sources.Contains(lead.Source))
            {
                return null;
            }
            met.Add($"source={lead.Source}");
        }
        return met.Count == 0 ? "any lead" : string.Join(" and ", met);
    }

    public static string NormalizePostalCode(string? postalCode) =>
        string.Concat((postalCode ?? "").Where(c => !char.IsWhiteSpace(c))).ToUpperInvariant();
}

public static class AssignmentMethods
{
    /// <summary>The team's members in turn (ordered by user id), one lead each.</summary>
    public const string RoundRobin = "round-robin";
    /// <summary>The member with the fewest open leads and open opportunities; ties to the lowest user id.</summary>
    public const string LeastLoaded = "least-loaded";

    public static readonly IReadOnlyList<string> All = [RoundRobin, LeastLoaded];
}

/// <summary>An owner a rule chose, and why; one row per assignment, kept as the lead's assignment history.</summary>
public sealed class LeadAssignment : ITenantOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid LeadId { get; init; }
    /// <summary>Null when no rule matched and the lead kept (or got) its default owner.</summary>
    public Guid? RuleId { get; init; }
    public string? PreviousOwnerId { get; init; }
    public string? OwnerId { get; init; }
    public string Reason { get; init; } = "";
    /// <summary><c>creation</c> or <c>on-demand</c>.</summary>
    public string Trigger { get; init; } = "";
    public DateTime AssignedAt { get; init; }
    public string AssignedBy { get; init; } = "";
}
