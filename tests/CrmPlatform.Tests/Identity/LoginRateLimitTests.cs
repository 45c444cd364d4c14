using System.Net;
using CrmPlatform.Tests.Infrastructure;

namespace CrmPlatform.Tests.Identity;

/// <summary>Login attempts are limited per client address, whatever the account; an Identity of its own with a low limit.</summary>
public sealed class LoginRateLimitTests : IAsyncLifetime
{
    private IdentityServer _identity = null!;

    public async Task InitializeAsync()
    {
        var servers = await TestServers.GetAsync();
        _identity = await IdentityServer.StartAsync(await servers.CreateVirtualHostAsync(), new Dictionary<string, string>
        {
            ["Identity:Login:AttemptsPerWindow"] = "3",
            ["Identity:Login:Window"] = "00:05:00",
        });
    }

    public async Task DisposeAsync() => await _identity.DisposeAsync();

    [Fact]
    public async Task Past_the_limit_an_address_gets_429_with_retry_after_while_other_addresses_carry_on()
    {
        using var attacker = new LoginSession(_identity);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            await LoginSession.AssertRefusedAsync(await attacker.LoginAsync($"victim{attempt}@example.test", "guess"));
        }

        var limited = await attacker.LoginAsync("victim9@example.test", "guess");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.InRange(limited.Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 1, 300);

        using var someoneElse = new LoginSession(_identity);
        await LoginSession.AssertRefusedAsync(await someoneElse.LoginAsync("victim9@example.test", "guess"));
    }
}
