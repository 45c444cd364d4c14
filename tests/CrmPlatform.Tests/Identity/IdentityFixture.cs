using CrmPlatform.Tests.Infrastructure;

namespace CrmPlatform.Tests.Identity;

/// <summary>xunit class fixture: Identity alone (its own database and virtual host) and an admin client for it.</summary>
public sealed class IdentityFixture : IAsyncLifetime
{
    public IdentityServer Identity { get; private set; } = null!;

    /// <summary>The bootstrap admin client's token: platform (default) tenant, role admin.</summary>
    public HttpClient Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var servers = await TestServers.GetAsync();
        Identity = await IdentityServer.StartAsync(await servers.CreateVirtualHostAsync());
        Admin = Identity.ClientWith(await Identity.AdminTokenAsync());
    }

    public async Task DisposeAsync()
    {
        Admin.Dispose();
        await Identity.DisposeAsync();
    }
}
