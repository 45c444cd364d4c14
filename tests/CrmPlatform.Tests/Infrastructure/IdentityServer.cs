using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using CrmPlatform.Identity.Data;
using CrmPlatform.Identity.Model;
using CrmPlatform.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;

namespace CrmPlatform.Tests.Infrastructure;

/// <summary>
/// The real Identity service on a real HTTP port (services fetch its signing keys over HTTP), with a bootstrap admin
/// client, and a way to add API clients for other tenants.
/// </summary>
public sealed class IdentityServer : IAsyncDisposable
{
    public const string Issuer = "http://crm-tests";
    private const string AdminClientId = "test-admin";
    private readonly string _adminSecret;
    private readonly HttpClient _http;

    private IdentityServer(ServiceFactory<IdentityDbContext> factory, string adminSecret)
    {
        Factory = factory;
        _adminSecret = adminSecret;
        Address = factory.Address;
        _http = new HttpClient { BaseAddress = new Uri(Address) };
    }

    public ServiceFactory<IdentityDbContext> Factory { get; }
    public string Address { get; }

    /// <param name="settings">Extra or overriding configuration, e.g. a tighter login rate limit.</param>
    public static async Task<IdentityServer> StartAsync(string messagingUri, IReadOnlyDictionary<string, string>? settings = null)
    {
        var servers = await TestServers.GetAsync();
        var secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var configuration = new Dictionary<string, string>
        {
            ["ConnectionStrings:identitydb"] = await servers.CreateDatabaseAsync("identitydb"),
            ["ConnectionStrings:messaging"] = messagingUri,
            ["Identity:Issuer"] = Issuer,
            ["Identity:Bootstrap:ClientId"] = AdminClientId,
            ["Identity:Bootstrap:ClientSecret"] = secret,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            configuration[key] = value;
        }
        var factory = new ServiceFactory<IdentityDbContext>(configuration);
        factory.StartOnKestrel();
        return new IdentityServer(factory, secret);
    }

    /// <summary>A token for the bootstrap admin client (default tenant, role admin), from the real token endpoint.</summary>
    public Task<string> AdminTokenAsync() => TokenAsync(AdminClientId, _adminSecret);

    public async Task<string> TokenAsync(string clientId, string secret)
    {
        using var response = await RequestTokenAsync(clientId, secret);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    public async Task<HttpResponseMessage> RequestTokenAsync(string clientId, string secret, string grantType = "client_credentials")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = grantType }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}")));
        return await _http.SendAsync(request);
    }

    /// <summary>A new tenant with an API client holding <paramref name="roles"/>; returns a token for it.</summary>
    public async Task<(Guid TenantId, string Token)> NewTenantAsync(params string[] roles)
    {
        var tenantId = Guid.CreateVersion7();
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
            db.Tenants.Add(Tenant.Create($"Tenant {tenantId:N}", tenantId));
            await db.SaveChangesAsync();
        }
        return (tenantId, await NewClientTokenAsync(tenantId, roles));
    }

    /// <summary>Another API client in <paramref name="tenantId"/> (admin unless roles are given); returns a token for it.</summary>
    public async Task<string> NewClientTokenAsync(Guid tenantId, params string[] roles)
    {
        var clientId = $"client-{Guid.NewGuid():N}";
        var secret = ApiClient.NewSecret();
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<TenantContext>().TenantId = tenantId;
            var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
            var client = new ApiClient { ClientId = clientId, Name = "test", Roles = [.. roles.DefaultIfEmpty(Roles.Admin)] };
            client.SetSecret(secret);
            db.ApiClients.Add(client);
            await db.SaveChangesAsync();
        }
        return await TokenAsync(clientId, secret);
    }

    /// <summary>An HTTP client for Identity's real port that sends <paramref name="token"/> as a bearer token.</summary>
    public HttpClient ClientWith(string token)
    {
        var client = new HttpClient { BaseAddress = new Uri(Address) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>
    /// A token for any subject, signed with Identity's real current key: stands in for a user's sign-in where the test
    /// is about what services do with the token, not about how it was obtained (the code flow has its own tests).
    /// </summary>
    public Task<string> SignedTokenAsync(string subject, Guid tenantId, params string[] roles) =>
        CraftTokenAsync(subject, tenantId, roles);

    /// <summary>
    /// A token with Identity's real current key (or <paramref name="credentials"/>), changed by <paramref name="change"/>
    /// after it is described: for tests of what validation refuses.
    /// </summary>
    public async Task<string> CraftTokenAsync(
        string subject, Guid tenantId, string[] roles,
        Action<Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor>? change = null,
        Microsoft.IdentityModel.Tokens.SigningCredentials? credentials = null)
    {
        var now = DateTime.UtcNow;
        var descriptor = new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = "crm-api",
            IssuedAt = now.AddMinutes(-1),
            NotBefore = now.AddMinutes(-1),
            Expires = now.AddMinutes(10),
            SigningCredentials = credentials
                ?? await Factory.Services.GetRequiredService<CrmPlatform.Identity.Tokens.SigningKeyStore>().SigningCredentialsAsync(),
            Claims = new Dictionary<string, object> { ["sub"] = subject, ["tenant_id"] = tenantId.ToString(), ["roles"] = roles },
        };
        change?.Invoke(descriptor);
        return new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(descriptor);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Factory.DisposeAsync();
    }
}
