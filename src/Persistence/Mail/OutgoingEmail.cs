using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Persistence.Mail;

/// <summary>
/// An email waiting in the same database as the change that asked for it, until an SMTP server has accepted it: the
/// mail counterpart of the event outbox, so a mail server outage delays emails but loses none. The bodies are dropped
/// once it is sent (a confirmation email holds a live link, which should not outlive its delivery in our database).
/// Every service queues into its own database (<see cref="IEmailOutboxDbContext"/>) and sends with <see cref="MailSender{TDbContext}"/>.
/// </summary>
public sealed class OutgoingEmail : ITenantOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public DateTime CreatedAt { get; init; }
    public string To { get; init; } = "";
    public string Subject { get; init; } = "";
    /// <summary>The sender; null for the service's default (<see cref="EmailOutboxOptions.From"/>).</summary>
    public string? From { get; init; }
    /// <summary>The Message-ID this one answers (without angle brackets), for threading in the receiver's client.</summary>
    public string? InReplyTo { get; init; }
    /// <summary>The thread's Message-IDs, oldest first, separated by spaces (without angle brackets).</summary>
    public string? References { get; init; }
    public string? TextBody { get; private set; }
    public string? HtmlBody { get; private set; }
    /// <summary>Not worth sending after this (the link in it has expired).</summary>
    public DateTime DiscardAfter { get; init; }
    public DateTime NextAttemptAt { get; private set; }
    public int Attempts { get; private set; }
    public string? LastError { get; private set; }
    public DateTime? SentAt { get; private set; }
    /// <summary>Dropped unsent because it was no longer worth sending.</summary>
    public DateTime? DiscardedAt { get; private set; }

    /// <summary>
    /// The same on every attempt, so a receiver can tell a rare duplicate (sent, then our commit failed) apart; known
    /// before sending, so the change that queues the email can keep it (a ticket threads replies by it).
    /// </summary>
    public string MessageIdAt(string domain) => MessageIdOf(Id, domain);

    public static string MessageIdOf(Guid emailId, string domain) => $"{emailId:N}@{domain}";

    public static OutgoingEmail Create(string to, string subject, string textBody, string? htmlBody, DateTime discardAfter, DateTime now,
        string? from = null, string? inReplyTo = null, string? references = null, Guid? id = null) => new()
    {
        Id = id ?? Guid.CreateVersion7(),
        CreatedAt = now,
        To = to,
        Subject = subject,
        TextBody = textBody,
        HtmlBody = htmlBody,
        DiscardAfter = discardAfter,
        NextAttemptAt = now,
        From = from,
        InReplyTo = inReplyTo,
        References = references,
    };

    public void Sent(DateTime now)
    {
        SentAt = now;
        LastError = null;
        Attempts++;
        ForgetBodies();
    }

    public void Failed(string error, DateTime now, TimeSpan maxDelay)
    {
        Attempts++;
        LastError = error.Length > 1000 ? error[..1000] : error;
        var delay = TimeSpan.FromSeconds(Math.Min(maxDelay.TotalSeconds, Math.Pow(2, Attempts - 1)));
        NextAttemptAt = now + delay;
    }

    public void Discarded(DateTime now)
    {
        DiscardedAt = now;
        ForgetBodies();
    }

    private void ForgetBodies()
    {
        TextBody = null;
        HtmlBody = null;
    }
}
