using System.Net;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;

namespace CrmPlatform.Tests.Identity;

public sealed record TestUser(Guid Id, string Email, string Password);

/// <summary>Creating users and clients through the real admin API, as an admin would.</summary>
public static class IdentityApi
{
    public static async Task<TestUser> NewUserAsync(HttpClient admin, params string[] roles)
    {
        var email = $"{Guid.NewGuid():N}@users.test";
        var password = $"pw-{Guid.NewGuid():N}";
        var created = await admin.PostJsonAsync("/api/v1/users", new
        {
            email,
            displayName = "Grace Hopper",
            password,
            roles = roles.Length > 0 ? roles : [Roles.SalesRep],
        });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        return new TestUser(created.Body.Id(), email, password);
    }

    /// <summary>A public (browser) client for the code flow; returns its client id.</summary>
    public static async Task<string> NewPublicClientAsync(HttpClient admin, string redirectUri)
    {
        var created = await admin.PostJsonAsync("/api/v1/api-clients", new { name = "Web app", isPublic = true, redirectUris = new[] { redirectUri } });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        return created.Body.Str("clientId");
    }
}
