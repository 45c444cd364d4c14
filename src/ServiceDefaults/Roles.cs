namespace CrmPlatform.ServiceDefaults;

/// <summary>The roles a user or API client can hold, as they appear in the token's roles claim.</summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string SalesManager = "sales-manager";
    public const string SalesRep = "sales-rep";
    public const string Marketing = "marketing";
    public const string ServiceAgent = "service-agent";
    public const string ReadOnly = "read-only";

    public static readonly IReadOnlyList<string> All = [Admin, SalesManager, SalesRep, Marketing, ServiceAgent, ReadOnly];

    /// <summary>Roles that see only what they and their teams own; one other known role widens the view to the tenant.</summary>
    public static readonly IReadOnlyList<string> TeamScoped = [SalesManager, SalesRep];

    public static bool SeeWholeTenant(IEnumerable<string> roles) => roles.Any(role => All.Contains(role) && !TeamScoped.Contains(role));
}
