using CrmPlatform.Smtp;
using Microsoft.Extensions.Options;

namespace CrmPlatform.Mail.Smtp;

/// <summary>The SMTP side of the sink, keeping every message in the <see cref="MailStore"/>.</summary>
public sealed class SmtpListener(MailStore store, RecipientRefusals refusals, IOptions<MailOptions> options, ILogger<SmtpListener> logger)
    : HostedSmtpListener(logger)
{
    protected override string Name => "SMTP";

    // Loopback only: the sink has no authentication and accepts mail for anyone.
    protected override SmtpListenerOptions Options => new()
    {
        BindAddress = "127.0.0.1", Port = options.Value.SmtpPort, MaxMessageBytes = options.Value.MaxMessageBytes,
    };

    protected override void AddComponents(SmtpServer.ComponentModel.ServiceProvider components)
    {
        components.Add(new StoringMessageStore(store, Logger));
        components.Add(new RefusingMailboxFilter(refusals));
    }
}
