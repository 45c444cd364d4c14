using CrmPlatform.Identity.Data;
using CrmPlatform.Identity.Model;
using CrmPlatform.ServiceDefaults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrmPlatform.Identity;

/// <summary>
/// Creates the default tenant and the bootstrap admin API client from <c>Identity:Bootstrap</c> at start, and keeps
/// the client's secret in step with the configuration, so a script always has a way in.
/// </summary>
internal sealed class BootstrapAdmin(IServiceScopeFactory scopes, IOptions<IdentitySettings> settings, ILogger<BootstrapAdmin> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().TenantId = TenantContext.DefaultTenantId;
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();

        if (!await db.Tenants.AnyAsync(t => t.Id == TenantContext.DefaultTenantId, cancellationToken))
        {
            db.Tenants.Add(Tenant.Create("Default", TenantContext.DefaultTenantId));
            await db.SaveChangesAsync(cancellationToken);
        }

        if (settings.Value.Bootstrap is not { ClientId: { Length: > 0 } clientId, ClientSecret: { Length: > 0 } secret })
        {
            logger.LogInformation("No bootstrap client configured (Identity:Bootstrap:ClientId / ClientSecret)");
            return;
        }

        var client = await db.ApiClients.IgnoreQueryFilters().SingleOrDefaultAsync(c => c.ClientId == clientId, cancellationToken);
        if (client is null)
        {
            client = new ApiClient { ClientId = clientId, Name = "Bootstrap administrator", Roles = [Roles.Admin] };
            db.ApiClients.Add(client);
        }
        client.SetSecret(secret);
        client.IsPublic = false;
        client.GrantTypes = [GrantTypes.ClientCredentials];
        client.Disabled = false;
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Bootstrap admin client {ClientId} is ready", clientId);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
