namespace CrmPlatform.ServiceDefaults;

/// <summary>
/// The tenant the current request or message acts for: taken from the access token for a request, from the event for a
/// consumer. Every query is filtered by it and every new row stamped with it. Until it is set it is empty, which
/// matches no row: a code path that forgets to set it sees nothing rather than someone else's data.
/// </summary>
public sealed class TenantContext
{
    /// <summary>The tenant created at first start; the bootstrap admin API client belongs to it.</summary>
    public static readonly Guid DefaultTenantId = new("00000000-0000-0000-0000-000000000001");

    public Guid TenantId { get; set; }

    /// <summary>Who acts: the token's subject (a user or an API client id); null for work the platform does itself.</summary>
    public string? ActorId { get; set; }

    /// <summary>
    /// False for the sales roles, who see only records they or their teams own (record scopes); true for everyone else
    /// and for the platform's own work.
    /// </summary>
    public bool SeesWholeTenant { get; set; } = true;

    public bool IsSet => TenantId != Guid.Empty;
}
