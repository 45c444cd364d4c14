using System.Net;
using System.Net.Http.Headers;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Identity.Tokens;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace CrmPlatform.Tests.Identity;

/// <summary>
/// A new signing key is published before it signs, so a service that refreshed its key set in between validates the
/// first token signed with it; tokens signed with the old key stay valid. Nothing restarts.
/// </summary>
public sealed class KeyRotationTests : IAsyncLifetime
{
    private IdentityServer _identity = null!;
    private ServiceFactory<ContactsDbContext> _contacts = null!;

    public async Task InitializeAsync()
    {
        var servers = await TestServers.GetAsync();
        var messaging = await servers.CreateVirtualHostAsync();
        _identity = await IdentityServer.StartAsync(messaging, new Dictionary<string, string>
        {
            ["Identity:KeyRotation"] = "00:00:04",
            ["Identity:KeyActivationDelay"] = "00:00:02",
        });
        _contacts = new ServiceFactory<ContactsDbContext>(new Dictionary<string, string>
        {
            ["ConnectionStrings:contactsdb"] = await servers.CreateDatabaseAsync("contactsdb"),
            ["ConnectionStrings:messaging"] = messaging,
            ["services:identity:http:0"] = _identity.Address,
        });
    }

    public async Task DisposeAsync()
    {
        await _contacts.DisposeAsync();
        await _identity.DisposeAsync();
    }

    private async Task<HttpStatusCode> StatusWithAsync(string token)
    {
        using var client = _contacts.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (await client.GetJsonAsync("/api/v1/people")).Status;
    }

    [Fact]
    public async Task A_new_key_is_published_first_then_signs_and_both_keys_validate()
    {
        var store = _identity.Factory.Services.GetRequiredService<SigningKeyStore>();
        var before = await _identity.AdminTokenAsync();
        var oldKey = new JsonWebToken(before).Kid;

        // Due two seconds before the rotation period ends: the next key is made now, published, not signing yet.
        await Task.Delay(TimeSpan.FromSeconds(2.2));
        await store.RotateIfDueAsync();
        var published = await PublishedKeysAsync();
        Assert.Equal(2, published.Count);
        Assert.Equal(oldKey, new JsonWebToken(await _identity.AdminTokenAsync()).Kid);

        // Contacts reads the key set now (its first request), as a service's periodic refresh would.
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(before));

        await Task.Delay(TimeSpan.FromSeconds(2.2));
        var after = await _identity.AdminTokenAsync();
        var newKey = new JsonWebToken(after).Kid;
        Assert.NotEqual(oldKey, newKey);
        Assert.Contains(newKey, published);
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(after));
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(before));
    }

    private async Task<List<string>> PublishedKeysAsync()
    {
        using var client = _identity.Factory.CreateClient();
        return [.. (await client.GetJsonAsync("/.well-known/jwks.json")).Body.GetProperty("keys").EnumerateArray().Select(k => k.Str("kid"))];
    }
}
