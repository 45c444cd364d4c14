using System.Collections.Concurrent;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace CrmPlatform.Mail.Smtp;

/// <summary>
/// Addresses the sink refuses at RCPT TO, with the reply code a real mail server would give: 550 for a mailbox that
/// does not exist (a hard bounce), 4xx for one that cannot take mail now (a soft bounce). Configured with
/// <c>Mail:RefuseRecipients:&lt;address&gt;=&lt;code&gt;</c> and changeable while running (tests refuse and then accept
/// again), so senders' bounce handling is proven against a real SMTP exchange.
/// </summary>
public sealed class RecipientRefusals
{
    private readonly ConcurrentDictionary<string, int> _refused = new(StringComparer.OrdinalIgnoreCase);

    public RecipientRefusals(IEnumerable<KeyValuePair<string, int>> configured)
    {
        foreach (var (address, code) in configured)
        {
            Refuse(address, code);
        }
    }

    /// <summary>From now on, RCPT TO <paramref name="address"/> gets <paramref name="code"/> (400–599).</summary>
    public void Refuse(string address, int code = 550)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(code, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(code, 599);
        _refused[address.Trim()] = code;
    }

    /// <summary>The address is accepted again.</summary>
    public void Accept(string address) => _refused.TryRemove(address.Trim(), out _);

    public int? CodeFor(string address) => _refused.TryGetValue(address, out var code) ? code : null;
}

/// <summary>The SmtpServer library's recipient check, answering from <see cref="RecipientRefusals"/>.</summary>
internal sealed class RefusingMailboxFilter(RecipientRefusals refusals) : IMailboxFilter
{
    public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken)
    {
        // The library answers a false with its own 550; any other code travels as a response exception.
        return refusals.CodeFor(to.AsAddress()) switch
        {
            null => Task.FromResult(true),
            550 => Task.FromResult(false),
            { } code => throw new SmtpResponseException(new SmtpResponse((SmtpReplyCode)code,
                code < 500 ? "4.2.1 mailbox temporarily unavailable, try again later" : "5.1.1 mailbox refused")),
        };
    }
}
