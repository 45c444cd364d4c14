namespace CrmPlatform.Persistence.Tenancy;

/// <summary>A row lists are paged over: by creation time, then id.</summary>
public interface IKeysetOrdered
{
    Guid Id { get; }
    DateTime CreatedAt { get; }
}

/// <summary>A row that belongs to one tenant; the tenant query filter applies to it.</summary>
public interface ITenantOwned
{
    Guid TenantId { get; set; }
}

/// <summary>
/// A record a service owns. <see cref="TenantDbContext"/> stamps the tenant, the timestamps and the version, which is
/// both the optimistic-concurrency token and the aggregate version carried by events.
/// </summary>
public abstract class Entity : ITenantOwned, IKeysetOrdered
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public int Version { get; set; }
}

/// <summary>
/// A record whose every change is audited: who created and last changed it, and, when the DbContext keeps an audit
/// log, an entry per write with the fields that changed.
/// </summary>
public interface IAudited
{
    string? CreatedBy { get; set; }
    string? UpdatedBy { get; set; }
}

/// <summary>
/// Customer data whose every change is audited (<see cref="IAudited"/>) and which has an owner; record scopes apply to it.
/// </summary>
public abstract class AuditedEntity : Entity, IAudited
{
    public string? CreatedBy { get; set; }
    public string? UpdatedBy { get; set; }

    /// <summary>Who the record belongs to (the creator unless reassigned); record scopes are decided by it.</summary>
    public string? OwnerId { get; set; }
}

/// <summary>
/// Audited like <see cref="AuditedEntity"/> but without an owner of its own, so no record scope applies to it: a
/// tenant's configuration, or a part of another record (a person's role at an organization) whose visibility that
/// record decides. Queries reach such rows through their record, or check it first.
/// </summary>
public abstract class UnownedAuditedEntity : Entity, IAudited
{
    public string? CreatedBy { get; set; }
    public string? UpdatedBy { get; set; }
}
