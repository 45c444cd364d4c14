using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Identity.Model;

/// <summary>
/// A customer organisation using the CRM; every record in every service belongs to exactly one. A tenant is owned by
/// itself (<see cref="Entity.TenantId"/> is its own id), so the tenant query filter shows an admin only their own
/// tenant, and only the platform admin, who looks past the filter, sees them all.
/// </summary>
public sealed class Tenant : Entity
{
    public const int NameMaxLength = 200;

    public string Name { get; set; } = "";

    public static Tenant Create(string name, Guid? id = null)
    {
        var tenantId = id ?? Guid.CreateVersion7();
        return new Tenant { Id = tenantId, TenantId = tenantId, Name = name.Trim() };
    }
}
