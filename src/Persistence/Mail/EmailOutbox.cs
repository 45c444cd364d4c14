using Microsoft.EntityFrameworkCore;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using CrmPlatform.Persistence.Outbox;

namespace CrmPlatform.Persistence.Mail;

/// <summary>A service's DbContext that holds an email outbox (table <c>outgoing_emails</c>).</summary>
public interface IEmailOutboxDbContext
{
    DbSet<OutgoingEmail> OutgoingEmails { get; }
}

/// <summary>How a service sends its email outbox; the SMTP server itself is <c>ConnectionStrings__mail</c> (<see cref="MailServer"/>).</summary>
public sealed class EmailOutboxOptions
{
    /// <summary>The sender of emails that name none.</summary>
    public string From { get; set; } = "CRM <no-reply@crm.localhost>";

    /// <summary>The right-hand side of our Message-IDs (<c>{email id}@{domain}</c>), one per service.</summary>
    public string MessageIdDomain { get; set; } = "crm";

    /// <summary>The longest wait between attempts to send one email while the SMTP server fails.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);
}

public static class EmailOutbox
{
    /// <summary>The keyed <see cref="OutboxSignal"/> that wakes the sender right after a commit that queued an email.</summary>
    public const string SignalKey = "mail";

    public const int AddressMaxLength = 320;

    /// <summary>The <c>outgoing_emails</c> table and the sender's queue index.</summary>
    public static ModelBuilder AddEmailOutbox(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<OutgoingEmail>(email =>
        {
            email.ToTable("outgoing_emails");
            email.Property(e => e.To).HasMaxLength(AddressMaxLength);
            email.Property(e => e.From).HasMaxLength(AddressMaxLength);
            email.Property(e => e.Subject).HasMaxLength(300);
            email.Property(e => e.InReplyTo).HasMaxLength(998);
            email.Property(e => e.LastError).HasMaxLength(1000);
            // The sender's queue, across tenants.
            email.HasIndex(e => e.NextAttemptAt).HasFilter("sent_at IS NULL AND discarded_at IS NULL").HasDatabaseName("ix_outgoing_emails_due");
        });
        return modelBuilder;
    }

    /// <summary>
    /// The email outbox of <typeparamref name="TDbContext"/>: its options, its wake signal and, when
    /// <c>ConnectionStrings__mail</c> names an SMTP server, the <see cref="MailSender{TDbContext}"/> (without one, emails
    /// stay queued; callers that must not queue what cannot leave check <see cref="IsConfigured"/>).
    /// </summary>
    public static OptionsBuilder<EmailOutboxOptions> AddEmailOutbox<TDbContext>(this IHostApplicationBuilder builder)
        where TDbContext : DbContext, IEmailOutboxDbContext
    {
        builder.Services.AddKeyedSingleton<OutboxSignal>(SignalKey);
        if (MailServer.FromConfiguration(builder.Configuration) is { } server)
        {
            builder.Services.AddSingleton(server);
            builder.Services.AddHostedService<MailSender<TDbContext>>();
        }
        return builder.Services.AddOptions<EmailOutboxOptions>();
    }

    /// <summary>Whether an SMTP server is configured, so queued emails will leave.</summary>
    public static bool IsConfigured(IServiceProvider services) => services.GetService<MailServer>() is not null;

    /// <summary>Wakes the sender (after the commit that queued an email; before it, the sender would not see it yet).</summary>
    public static void WakeSender(IServiceProvider services) => services.GetKeyedService<OutboxSignal>(SignalKey)?.Notify();

    /// <summary>An address in angle brackets dropped: <c>&lt;a@b&gt;</c> → <c>a@b</c>.</summary>
    public static string BareMessageId(string messageId) => messageId.Trim().TrimStart('<').TrimEnd('>');
}
