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
}
