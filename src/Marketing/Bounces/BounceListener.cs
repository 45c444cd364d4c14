using System.Buffers;
using System.Data.Common;
using CrmPlatform.Smtp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace CrmPlatform.Marketing.Bounces;

/// <summary>
/// Marketing's SMTP listener for the bounce domain: mail systems send their DSNs for campaign and journey emails to
/// the envelope sender, <c>bounces+token@domain</c>, and the bounce domain's MX points here. Mailbox providers'
/// feedback loops send their spam complaints (ARF) here too, to <c>bounces@domain</c> as registered with them.
/// </summary>
public sealed class BounceListener(IServiceScopeFactory scopes, IOptions<BounceOptions> options, ILogger<BounceListener> logger)
    : HostedSmtpListener(logger)
{
    protected override string Name => "Bounce SMTP";

    protected override SmtpListenerOptions Options => options.Value;

    protected override void AddComponents(SmtpServer.ComponentModel.ServiceProvider components)
    {
        components.Add(new BounceAddressFilter(options.Value));
        components.Add(new BounceMessageStore(scopes, Logger));
    }
}

/// <summary>
/// RCPT TO only for the bounce address (<c>bounces@domain</c> or <c>bounces+anything@domain</c>), else 550 during
/// the conversation: the listener faces the internet where an MX points at it, and must never take mail for anyone
/// else (no open relay, nothing to forward). Whether the token is ours is decided after DATA, not here.
/// </summary>
internal sealed class BounceAddressFilter(BounceOptions options) : IMailboxFilter
{
    public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken) =>
        Task.FromResult(to.Host is { } host && host.Equals(options.Domain, StringComparison.OrdinalIgnoreCase)
            && to.User is { } user && (user.Equals(options.LocalPart, StringComparison.OrdinalIgnoreCase)
                || user.StartsWith(options.LocalPart + "+", StringComparison.OrdinalIgnoreCase)));
}

/// <summary>
/// Each message is processed before the reply, so 250 means a bounce is committed; the database away answers 451 and
/// the reporting server tries again later (recording is idempotent, so a retry after a lost 250 counts nothing twice).
/// <para>
/// Anything readable that is not a hard bounce or complaint of ours (a delay notice, a not-spam report, an auto-reply,
/// spam, a forged or unknown token) is accepted and ignored rather than refused: a DSN comes with a null sender, so a refusal after DATA only
/// makes the reporting server write a double bounce to its own postmaster, and the same 250 for a good and a bad token
/// tells a forger nothing. Only mail that does not parse is refused (554), as Service's inbound listener does.
/// </para>
/// </summary>
internal sealed partial class BounceMessageStore(IServiceScopeFactory scopes, ILogger logger) : MessageStore
{
    private const SmtpReplyCode LocalError = (SmtpReplyCode)451;

    public override async Task<SmtpResponse> SaveAsync(
        ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        MimeMessage message;
        try
        {
            using var stream = new MemoryStream(buffer.ToArray());
            message = await MimeMessage.LoadAsync(stream, cancellationToken);
        }
        catch (FormatException ex)
        {
            LogUnreadable(logger, ex.Message);
            return new SmtpResponse(SmtpReplyCode.TransactionFailed, "not a readable message");
        }
        var recipients = transaction.To.Select(to => to.AsAddress()).ToList();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<BounceProcessor>().ProcessAsync(recipients, message, cancellationToken);
        }
        catch (Exception ex) when (ex is DbException or DbUpdateException or TimeoutException or InvalidOperationException)
        {
            LogFailed(logger, ex, message.MessageId);
            return new SmtpResponse(LocalError, "local error in processing, try again later");
        }
        return SmtpResponse.Ok;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused unreadable bounce mail: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Bounce mail {MessageId} could not be recorded; answered 451 so the sender retries")]
    private static partial void LogFailed(ILogger logger, Exception exception, string? messageId);
}

public static class BouncesExtensions
{
    /// <summary>The settings, and with a bounce domain the listener (health check <c>bounce-smtp</c>).</summary>
    public static void AddBounces(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<BounceOptions>().BindConfiguration(BounceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<BounceProcessor>();
        if (builder.Configuration.GetSection(BounceOptions.Section).Get<BounceOptions>() is { Enabled: true })
        {
            builder.Services.AddSmtpListener<BounceListener>("bounce-smtp");
        }
    }
}
