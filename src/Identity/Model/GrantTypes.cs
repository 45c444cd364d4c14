namespace CrmPlatform.Identity.Model;

/// <summary>The OAuth 2 grants an API client may be allowed to use, as they appear in <c>grant_type</c>.</summary>
public static class GrantTypes
{
    public const string ClientCredentials = "client_credentials";
    public const string AuthorizationCode = "authorization_code";
    public const string RefreshToken = "refresh_token";

    public static readonly IReadOnlyList<string> All = [ClientCredentials, AuthorizationCode, RefreshToken];
}
