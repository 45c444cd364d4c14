using System.Buffers;
using System.Data.Common;
using CrmPlatform.Service.Data;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace CrmPlatform.Service.Mail.Inbound;

/// <summary>
/// Where the SmtpServer library hands over each message after DATA: processed before the reply, so 250 means the
/// ticket or message is committed. A failure to write (the database away) answers 451, and the sending server keeps
/// the message and tries again later; the desk's intake is idempotent by Message-ID, so a retry after a 250 that got
/// lost on the way makes nothing twice. Accepting first and processing later would need a durable queue of our own.
/// </summary>
internal sealed partial class TicketMessageStore(IServiceScopeFactory scopes, InboundMailMetrics metrics, ILogger logger) : MessageStore
{
    private const SmtpReplyCode LocalError = (SmtpReplyCode)451;

    public override async Task<SmtpResponse> SaveAsync(
        ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        var raw = buffer.ToArray();
        var reversePath = transaction.From?.AsAddress() is { Length: > 1 } path && path != "@" ? path : null;
        MimeMessage message;
        try
        {
            using var stream = new MemoryStream(raw);
            message = await MimeMessage.LoadAsync(stream, cancellationToken);
        }
        catch (FormatException ex)
        {
            LogUnreadable(logger, reversePath, ex.Message);
            metrics.Count("refused", "unreadable");
            return new SmtpResponse(SmtpReplyCode.TransactionFailed, "not a readable message");
        }
        var mail = InboundMail.Parse(message, reversePath, raw);
        var recipients = transaction.To.Select(to => to.AsAddress().Trim().ToLowerInvariant()).Distinct().ToList();
        try
        {
            List<SupportAddress> addresses;
            await using (var lookup = scopes.CreateAsyncScope())
            {
                addresses = await lookup.ServiceProvider.GetRequiredService<ServiceDbContext>().SupportAddresses.IgnoreQueryFilters().AsNoTracking()
                    .Where(a => recipients.Contains(a.Address)).OrderBy(a => a.Address).ToListAsync(cancellationToken);
            }
            // One ticket per tenant, however many of its addresses the message went to.
            foreach (var address in addresses.DistinctBy(a => a.TenantId))
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<InboundMailProcessor>().ProcessAsync(address, mail, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is DbException or DbUpdateException or TimeoutException or InvalidOperationException)
        {
            LogFailed(logger, ex, mail.MessageId);
            metrics.Count("deferred", ex.GetType().Name);
            return new SmtpResponse(LocalError, "local error in processing, try again later");
        }
        return SmtpResponse.Ok;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused mail from <{MailFrom}>: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string? mailFrom, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Mail {MessageId} could not be written; answered 451 so the sender retries")]
    private static partial void LogFailed(ILogger logger, Exception exception, string messageId);
}
