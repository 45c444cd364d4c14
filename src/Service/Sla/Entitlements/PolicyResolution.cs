using CrmPlatform.Service.Data;
using CrmPlatform.Service.Sla.Policies;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Service.Sla.Entitlements;

/// <summary>Which SLA policy applies and why: <c>contract</c>, <c>tenant-default</c>, or <c>none</c> (the tenant has no policy).</summary>
public sealed record PolicyChoice(SlaPolicy? Policy, string Source, ServiceContract? Contract, string Reason)
{
    public const string FromContract = "contract";
    public const string FromTenantDefault = "tenant-default";
    public const string NoPolicy = "none";
}

/// <summary>
/// The one rule for a ticket's policy: the organization's service contract valid on the day (UTC) the ticket was
/// created, else the tenant's default policy. Reads within the caller's tenant.
/// </summary>
public static class PolicyResolution
{
    public static async Task<PolicyChoice> ResolveAsync(ServiceDbContext db, Guid? organizationId, DateTime at, CancellationToken cancellationToken)
    {
        var day = DateOnly.FromDateTime(at);
        if (organizationId is { } organization)
        {
            var contract = await db.ServiceContracts.AsNoTracking()
                .Where(c => c.OrganizationId == organization && c.ValidFrom <= day && (c.ValidTo == null || c.ValidTo >= day))
                .OrderByDescending(c => c.ValidFrom)
                .FirstOrDefaultAsync(cancellationToken);
            if (contract is not null && await db.SlaPolicies.AsNoTracking().SingleOrDefaultAsync(p => p.Id == contract.PolicyId, cancellationToken) is { } policy)
            {
                return new PolicyChoice(policy, PolicyChoice.FromContract, contract,
                    $"The organization's service contract '{contract.Name}' is valid on {day:yyyy-MM-dd} ({Window(contract)}).");
            }
        }
        var fallback = await db.SlaPolicies.AsNoTracking().SingleOrDefaultAsync(p => p.IsDefault, cancellationToken);
        var why = organizationId is null
            ? "The ticket names no organization"
            : await db.ServiceContracts.AnyAsync(c => c.OrganizationId == organizationId, cancellationToken)
                ? $"None of the organization's service contracts is valid on {day:yyyy-MM-dd}"
                : "The organization has no service contract";
        return fallback is null
            ? new PolicyChoice(null, PolicyChoice.NoPolicy, null, $"{why}, and the tenant has no default SLA policy: no SLA applies.")
            : new PolicyChoice(fallback, PolicyChoice.FromTenantDefault, null, $"{why}: the tenant's default policy '{fallback.Name}' applies.");
    }

    private static string Window(ServiceContract c) => c.ValidTo is null ? $"from {c.ValidFrom:yyyy-MM-dd}, open-ended" : $"{c.ValidFrom:yyyy-MM-dd} to {c.ValidTo:yyyy-MM-dd}";
}
