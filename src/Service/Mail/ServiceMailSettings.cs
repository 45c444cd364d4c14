namespace CrmPlatform.Service.Mail;

/// <summary>Service's outgoing email (section <c>Service:Mail</c>); the SMTP server is <c>ConnectionStrings__mail</c>.</summary>
public sealed class ServiceMailSettings
{
    public const string Section = "Service:Mail";

    /// <summary>
    /// The sender for a tenant that has no support address yet (<see cref="TicketReplyEmail.SenderAsync"/>): with one,
    /// the tenant's own address is the sender, so customers' answers come back to its desk.
    /// </summary>
    public string From { get; set; } = "Support <support@crm.localhost>";

    /// <summary>The right-hand side of our Message-IDs; replies to them find their ticket by the whole id.</summary>
    public string MessageIdDomain { get; set; } = "service.crm";

    /// <summary>The longest wait between attempts to send one email while the SMTP server fails.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A reply not delivered within this is dropped (the agent sees it unsent; a week-old answer misleads).</summary>
    public TimeSpan ReplyLifetime { get; set; } = TimeSpan.FromDays(7);
}
