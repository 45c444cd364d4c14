using CrmPlatform.Service.Data;
using Microsoft.EntityFrameworkCore;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Storage;

namespace CrmPlatform.Service.Mail.Inbound;

/// <summary>
/// RCPT TO only for a known support address (of any tenant: the address names the tenant), else 550 during the
/// conversation: the sending server tells its user at once, and the service never accepts mail it cannot place (no
/// backscatter from bouncing it later).
/// </summary>
internal sealed class SupportAddressFilter(IServiceScopeFactory scopes) : IMailboxFilter
{
    public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken) =>
        Task.FromResult(true);

    public async Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken)
    {
        var address = to.AsAddress()?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(address))
        {
            return false;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ServiceDbContext>();
        return await db.SupportAddresses.IgnoreQueryFilters().AnyAsync(a => a.Address == address, cancellationToken);
    }
}
