using CrmPlatform.Smtp;

namespace CrmPlatform.Service.Mail.Inbound;

/// <summary><c>Service:Smtp</c>: where the service takes mail for its support addresses.</summary>
public sealed class InboundSmtpOptions : SmtpListenerOptions
{
    public const string Section = "Service:Smtp";
}
