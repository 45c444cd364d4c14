using System.Net;
using System.Net.Http.Headers;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Tests.Infrastructure;

namespace CrmPlatform.Tests.Identity;

/// <summary>
/// Services accept tokens from any OpenID Connect provider by configuration: authority, and which claims carry the
/// tenant and the roles. A second Identity stands in for that provider, with its own issuer, keys and claim names.
/// </summary>
public sealed class ExternalProviderTests : IAsyncLifetime
{
    private IdentityServer _platformIdentity = null!;
    private IdentityServer _externalProvider = null!;
    private ServiceFactory<ContactsDbContext> _contacts = null!;

    public async Task InitializeAsync()
    {
        var servers = await TestServers.GetAsync();
        var messaging = await servers.CreateVirtualHostAsync();
        _platformIdentity = await IdentityServer.StartAsync(messaging);
        _externalProvider = await IdentityServer.StartAsync(messaging, new Dictionary<string, string>
        {
            ["Identity:Issuer"] = "http://external-idp.test",
            ["Authentication:TenantClaim"] = "org_id",
            ["Authentication:RoleClaim"] = "groups",
        });
        _contacts = new ServiceFactory<ContactsDbContext>(new Dictionary<string, string>
        {
            ["ConnectionStrings:contactsdb"] = await servers.CreateDatabaseAsync("contactsdb"),
            ["ConnectionStrings:messaging"] = messaging,
            ["Authentication:Authority"] = _externalProvider.Address,
            ["Authentication:TenantClaim"] = "org_id",
            ["Authentication:RoleClaim"] = "groups",
        });
    }

    public async Task DisposeAsync()
    {
        await _contacts.DisposeAsync();
        await _externalProvider.DisposeAsync();
        await _platformIdentity.DisposeAsync();
    }

    private async Task<HttpStatusCode> StatusWithAsync(string token)
    {
        using var client = _contacts.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (await client.GetJsonAsync("/api/v1/people")).Status;
    }

    [Fact]
    public async Task Tokens_of_the_configured_provider_with_its_claim_names_are_accepted_and_others_refused()
    {
        var external = await _externalProvider.AdminTokenAsync();
        var payload = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(external);
        Assert.True(payload.TryGetClaim("org_id", out _));
        Assert.False(payload.TryGetClaim("tenant_id", out _));

        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(external));
        using var client = _contacts.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", external);
        Assert.Equal(HttpStatusCode.Created, (await client.PostJsonAsync("/api/v1/people", Api.NewPerson())).Status);

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(await _platformIdentity.AdminTokenAsync()));
    }
}
