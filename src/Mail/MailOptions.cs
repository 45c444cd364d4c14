using System.ComponentModel.DataAnnotations;

namespace CrmPlatform.Mail;

/// <summary>The <c>Mail</c> section; the AppHost sets <c>Mail__SmtpPort</c>.</summary>
public sealed class MailOptions
{
    public const string Section = "Mail";

    /// <summary>The SMTP port on 127.0.0.1; 0 lets the system choose one (tests read it from <see cref="Smtp.SmtpListener.Port"/>).</summary>
    [Range(0, 65535)]
    public int SmtpPort { get; set; }

    /// <summary>Announced in EHLO as SIZE; larger messages are refused with 552.</summary>
    [Range(1024, int.MaxValue)]
    public int MaxMessageBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>How many messages are kept; the oldest go first.</summary>
    [Range(1, 100_000)]
    public int Capacity { get; set; } = 1000;

    /// <summary>Addresses refused at RCPT TO, with the reply code (550: a hard bounce; 4xx: a soft one).</summary>
    public Dictionary<string, int> RefuseRecipients { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
