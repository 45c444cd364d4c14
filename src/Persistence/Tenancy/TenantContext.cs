namespace CrmPlatform.Persistence.Tenancy;

/// <summary>
/// The tenant the current request or message acts for. Every query is filtered by it and every new row stamped with it.
/// Until authentication arrives, HTTP requests act for <see cref="DefaultTenantId"/>; consumers set it from the event.
/// </summary>
public sealed class TenantContext
{
    public static readonly Guid DefaultTenantId = new("00000000-0000-0000-0000-000000000001");

    public Guid TenantId { get; set; } = DefaultTenantId;
}
