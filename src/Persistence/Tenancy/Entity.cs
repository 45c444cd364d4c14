namespace CrmPlatform.Persistence.Tenancy;

/// <summary>A row that belongs to one tenant; the tenant query filter applies to it.</summary>
public interface ITenantOwned
{
    Guid TenantId { get; set; }
}

/// <summary>
/// A record a service owns. <see cref="TenantDbContext"/> stamps the tenant, the timestamps and the version, which is
/// both the optimistic-concurrency token and the aggregate version carried by events.
/// </summary>
public abstract class Entity : ITenantOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public int Version { get; set; }
}
