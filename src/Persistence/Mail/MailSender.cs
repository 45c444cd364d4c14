using CrmPlatform.Persistence.Outbox;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace CrmPlatform.Persistence.Mail;

/// <summary>
/// Sends the email outbox over SMTP, one email per transaction: claimed with SKIP LOCKED (several instances share the
/// queue), marked sent in the same transaction once the server has accepted it. A refused or failed send stays queued
/// with a growing delay, so an SMTP outage delays emails and loses none. An email is sent twice only if the server
/// accepted it and our commit then failed; it keeps its Message-ID, so the copy is recognisable.
/// </summary>
public sealed class MailSender<TDbContext>(
    IServiceScopeFactory scopes, MailServer server, IOptions<EmailOutboxOptions> settings,
    [FromKeyedServices(EmailOutbox.SignalKey)] OutboxSignal signal, TimeProvider clock, ILogger<MailSender<TDbContext>> logger) : BackgroundService
    where TDbContext : DbContext, IEmailOutboxDbContext
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SmtpTimeout = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SendDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The database, not the mail server (whose failures are recorded per email): try again at the next poll.
                logger.LogWarning(ex, "Reading the email outbox failed; queued emails wait");
            }

            try
            {
                await signal.WaitAsync(PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task SendDueAsync(CancellationToken stoppingToken)
    {
        SmtpClient? smtp = null;
        try
        {
            while (true)
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
                await using var transaction = await db.Database.BeginTransactionAsync(stoppingToken);
                var now = clock.GetUtcNow().UtcDateTime;
                var email = await db.OutgoingEmails
                    .FromSql($"SELECT * FROM outgoing_emails WHERE sent_at IS NULL AND discarded_at IS NULL AND next_attempt_at <= {now} ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED")
                    .IgnoreQueryFilters().SingleOrDefaultAsync(stoppingToken);
                if (email is null)
                {
                    return;
                }

                if (email.DiscardAfter <= now)
                {
                    email.Discarded(now);
                    logger.LogInformation("Email {EmailId} discarded unsent: its link expired after {Attempts} attempts", email.Id, email.Attempts);
                }
                else
                {
                    try
                    {
                        smtp ??= await ConnectAsync(stoppingToken);
                        await smtp.SendAsync(Message(email), stoppingToken);
                        email.Sent(clock.GetUtcNow().UtcDateTime);
                    }
                    catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                    {
                        email.Failed(ex.Message, now, settings.Value.MaxRetryDelay);
                        logger.LogWarning("Sending email {EmailId} failed (attempt {Attempts}, next at {NextAttemptAt:O}): {Error}",
                            email.Id, email.Attempts, email.NextAttemptAt, ex.Message);
                        smtp?.Dispose();
                        smtp = null;
                    }
                }
                await db.SaveChangesAsync(CancellationToken.None);
                await transaction.CommitAsync(CancellationToken.None);
            }
        }
        finally
        {
            if (smtp is { IsConnected: true })
            {
                try
                {
                    await smtp.DisconnectAsync(quit: true, CancellationToken.None);
                }
                catch (Exception ex) when (ex is IOException or SmtpProtocolException or SmtpCommandException)
                {
                    // Everything was sent and recorded; a failed QUIT changes nothing.
                }
            }
            smtp?.Dispose();
        }
    }

    private async Task<SmtpClient> ConnectAsync(CancellationToken cancellationToken)
    {
        var smtp = new SmtpClient { Timeout = (int)SmtpTimeout.TotalMilliseconds };
        try
        {
            await smtp.ConnectAsync(server.Host, server.Port, server.UseTls ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.None, cancellationToken);
            if (server.UserName is { Length: > 0 } user)
            {
                await smtp.AuthenticateAsync(user, server.Password ?? "", cancellationToken);
            }
            return smtp;
        }
        catch
        {
            smtp.Dispose();
            throw;
        }
    }

    private MimeMessage Message(OutgoingEmail email)
    {
        var message = new MimeMessage
        {
            MessageId = email.MessageIdAt(settings.Value.MessageIdDomain),
            Date = new DateTimeOffset(email.CreatedAt, TimeSpan.Zero),
            Subject = email.Subject,
            Body = new BodyBuilder { TextBody = email.TextBody, HtmlBody = email.HtmlBody }.ToMessageBody(),
        };
        message.From.Add(MailboxAddress.Parse(email.From ?? settings.Value.From));
        message.To.Add(MailboxAddress.Parse(email.To));
        if (email.InReplyTo is { Length: > 0 } inReplyTo)
        {
            message.InReplyTo = inReplyTo;
        }
        foreach (var reference in (email.References ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            message.References.Add(reference);
        }
        // RFC 3834: no out-of-office replies to a machine's message.
        message.Headers.Add("Auto-Submitted", "auto-generated");
        return message;
    }
}
