using CrmPlatform.Contracts.Identity.V1;
using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Identity.Model;

/// <summary>A group of users (a sales team, a support queue) whose members see each other's records.</summary>
public sealed class Team : AuditedEntity
{
    public const int NameMaxLength = 200;

    public string Name { get; set; } = "";

    public List<TeamMembership> Members { get; } = [];

    public TeamSnapshot ToSnapshot() => new(Name, [.. Members.Select(m => m.UserId).Order()]);

    public TeamCreated Created() => new(Guid.CreateVersion7(), UpdatedAt, TenantId, Id, Version, ToSnapshot());
    public TeamUpdated Updated() => new(Guid.CreateVersion7(), UpdatedAt, TenantId, Id, Version, ToSnapshot());
    public TeamDeleted Deleted(DateTime now) => new(Guid.CreateVersion7(), now, TenantId, Id, Version);
}
