using CrmPlatform.Smtp;
using Microsoft.Extensions.Options;

namespace CrmPlatform.Service.Mail.Inbound;

/// <summary>
/// The service's own SMTP server for its support addresses: RCPT TO is checked against the support addresses, each
/// message becomes a ticket or a reply before the 250.
/// </summary>
public sealed class InboundSmtpListener(
    IServiceScopeFactory scopes, InboundMailMetrics metrics, IOptions<InboundSmtpOptions> options, ILogger<InboundSmtpListener> logger)
    : HostedSmtpListener(logger)
{
    protected override string Name => "Inbound SMTP";

    protected override SmtpListenerOptions Options => options.Value;

    protected override void AddComponents(SmtpServer.ComponentModel.ServiceProvider components)
    {
        components.Add(new SupportAddressFilter(scopes));
        components.Add(new TicketMessageStore(scopes, metrics, Logger));
    }
}

public static class InboundMailExtensions
{
    public static void AddInboundMail(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<InboundSmtpOptions>().BindConfiguration(InboundSmtpOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<InboundMailMetrics>();
        builder.Services.AddScoped<InboundMailProcessor>();
        builder.Services.AddSmtpListener<InboundSmtpListener>("smtp");
    }
}
