using System.Buffers;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace CrmPlatform.Mail.Smtp;

/// <summary>Where the SmtpServer library hands over each accepted message: into the <see cref="MailStore"/>, never relayed.</summary>
internal sealed partial class StoringMessageStore(MailStore store, ILogger logger) : MessageStore
{
    public override Task<SmtpResponse> SaveAsync(
        ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        var mailFrom = transaction.From.AsAddress() ?? "";
        ReceivedMail mail;
        try
        {
            mail = new ReceivedMail(Guid.CreateVersion7(), DateTimeOffset.UtcNow, mailFrom, [.. transaction.To.Select(to => to.AsAddress())], Content(buffer),
                context.Properties.TryGetValue(EndpointListener.RemoteEndPointKey, out var client) ? client?.ToString() : null);
        }
        catch (FormatException ex)
        {
            // Refused rather than kept: the sender learns at once that it sent something no mail program could show.
            LogUnreadable(logger, mailFrom, ex.Message);
            return Task.FromResult(new SmtpResponse(SmtpReplyCode.TransactionFailed, $"not a readable message: {ex.Message}"));
        }
        store.Add(mail);
        LogReceived(logger, mail.Id, mail.MailFrom, string.Join(", ", mail.Recipients), mail.Subject, mail.Raw.Length);
        return Task.FromResult(new SmtpResponse(SmtpReplyCode.Ok, $"queued as {mail.Id:N}"));
    }

    /// <summary>
    /// The library ends the data at the CRLF before the closing dot, but that CRLF ends the message's last line
    /// (RFC 5321 4.1.1.4): it goes back on, so the message is byte for byte what the client sent.
    /// </summary>
    private static byte[] Content(ReadOnlySequence<byte> buffer)
    {
        var content = new byte[buffer.Length + 2];
        buffer.CopyTo(content);
        content[^2] = (byte)'\r';
        content[^1] = (byte)'\n';
        return content;
    }

    // Who, to whom, what about and how big: enough to follow a flow in the logs. Never the body, which holds links
    // with tokens.
    [LoggerMessage(Level = LogLevel.Information,
        Message = "Received mail {MailId} from <{MailFrom}> to {Recipients}: \"{Subject}\", {Size} bytes")]
    private static partial void LogReceived(ILogger logger, Guid mailId, string mailFrom, string recipients, string? subject, int size);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused mail from <{MailFrom}>: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string mailFrom, string reason);
}
