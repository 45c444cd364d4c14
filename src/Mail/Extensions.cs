using CrmPlatform.Mail.Smtp;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Smtp;
using Microsoft.Extensions.Options;

namespace CrmPlatform.Mail;

internal static class Extensions
{
    /// <summary>
    /// The store, the SMTP listener that fills it, and the health check on the listener. No authentication, on
    /// purpose: like Aspire's MailPit this is a development sink, on loopback only, whose whole point is that a
    /// developer or a test reads what the platform sent without first signing in to anything; it must never face a
    /// network. No <c>AddServiceDefaults</c> for the same reason: that wires JWT bearer authentication.
    /// </summary>
    public static void AddMailSink(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MailOptions>()
            .BindConfiguration(MailOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(services => new MailStore(services.GetRequiredService<IOptions<MailOptions>>().Value.Capacity));

        builder.Services.AddSingleton(services => new RecipientRefusals(services.GetRequiredService<IOptions<MailOptions>>().Value.RefuseRecipients));

        builder.AddDefaultHealthChecks();
        builder.Services.AddSmtpListener<SmtpListener>("smtp");
        builder.Services.AddProblemDetails();
    }
}
