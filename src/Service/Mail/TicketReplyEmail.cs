using System.Text.Encodings.Web;
using CrmPlatform.Persistence.Mail;
using CrmPlatform.Service.Data;
using CrmPlatform.Service.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Options;
using MimeKit;

namespace CrmPlatform.Service.Mail;

/// <summary>
/// An agent's public reply, queued for the requester in the transaction that adds it. Its Message-ID is ours and is
/// kept as the message's <see cref="TicketMessage.ExternalMessageId"/>: the customer's answer carries it in In-Reply-To,
/// and <see cref="TicketIntake.FindTicketByMessageIdsAsync"/> threads it into this ticket.
/// </summary>
public static class TicketReplyEmail
{
    private const int MaxReferences = 20;

    /// <summary>Queues <paramref name="reply"/> (not yet saved) to the requester; nothing when nobody may receive it.</summary>
    public static async Task QueueAsync(ServiceDbContext db, Ticket ticket, TicketMessage reply, DateTime now, CancellationToken cancellationToken)
    {
        if (await RecipientAsync(db, ticket, cancellationToken) is not { } to)
        {
            return;
        }
        var settings = Settings(db);
        var thread = await db.TicketMessages.AsNoTracking()
            .Where(m => m.TicketId == ticket.Id && m.Kind == MessageKinds.Public && m.ExternalMessageId != null)
            .OrderBy(m => m.CreatedAt).ThenBy(m => m.Id)
            .Select(m => new { m.AuthorKind, m.ExternalMessageId }).ToListAsync(cancellationToken);
        var inReplyTo = thread.LastOrDefault(m => m.AuthorKind == AuthorKinds.Customer)?.ExternalMessageId;
        var references = thread.Select(m => EmailOutbox.BareMessageId(m.ExternalMessageId!)).TakeLast(MaxReferences).ToList();

        var emailId = Guid.CreateVersion7();
        reply.ExternalMessageId = OutgoingEmail.MessageIdOf(emailId, settings.MessageIdDomain);
        var html = $"<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body style=\"font-family:sans-serif\">{HtmlParagraphs(reply.Body)}</body></html>";
        db.OutgoingEmails.Add(OutgoingEmail.Create(to, Subject(ticket), reply.Body, html, now + settings.ReplyLifetime, now,
            from: await SenderAsync(db, ticket.GroupId, cancellationToken),
            inReplyTo: inReplyTo is null ? null : EmailOutbox.BareMessageId(inReplyTo),
            references: references.Count == 0 ? null : string.Join(' ', references), id: emailId));
    }

    /// <summary><c>Re: subject [#42]</c>: the number is what inbound mail matches when the headers are lost.</summary>
    public static string Subject(Ticket ticket)
    {
        var subject = ticket.Subject.StartsWith("Re:", StringComparison.OrdinalIgnoreCase) ? ticket.Subject : $"Re: {ticket.Subject}";
        var reference = $"[#{ticket.Number}]";
        return subject.Contains(reference, StringComparison.Ordinal) ? subject : $"{subject} {reference}";
    }

    /// <summary>
    /// The requester's address, unless they were erased or restricted processing (service mail is transactional and
    /// needs no consent, but those two get nothing).
    /// </summary>
    public static async Task<string?> RecipientAsync(ServiceDbContext db, Ticket ticket, CancellationToken cancellationToken)
    {
        if (ticket.RequesterEmail is not { Length: > 0 } email)
        {
            return null;
        }
        if (ticket.RequesterId is { } personId && await db.DirectoryContacts.AsNoTracking().IgnoreQueryFilters()
                .AnyAsync(c => c.Id == personId && c.TenantId == ticket.TenantId && (c.IsDeleted || c.ProcessingRestricted), cancellationToken))
        {
            return null;
        }
        return email;
    }

    /// <summary>
    /// The tenant's support address, the ticket group's own first (customers answer to where they wrote), so replies
    /// come back to the desk; the setting for a tenant without one.
    /// </summary>
    public static async Task<string> SenderAsync(ServiceDbContext db, Guid? groupId, CancellationToken cancellationToken)
    {
        var address = await db.SupportAddresses.AsNoTracking()
            .OrderBy(a => a.GroupId == groupId ? 0 : 1).ThenBy(a => a.CreatedAt).ThenBy(a => a.Id)
            .Select(a => new { a.Address, a.DisplayName }).FirstOrDefaultAsync(cancellationToken);
        return address is null ? Settings(db).From : new MailboxAddress(address.DisplayName ?? "", address.Address).ToString();
    }

    /// <summary>From the application's services: the desk's writes are static and shared by every channel.</summary>
    internal static T AppService<T>(ServiceDbContext db) where T : notnull =>
        (db.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider
            ?? throw new InvalidOperationException("ServiceDbContext has no application service provider.")).GetRequiredService<T>();

    internal static ServiceMailSettings Settings(ServiceDbContext db) => AppService<IOptions<ServiceMailSettings>>(db).Value;

    private static string HtmlParagraphs(string text) => string.Concat(
        text.Replace("\r\n", "\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(p => $"<p>{HtmlEncoder.Default.Encode(p).Replace("&#xA;", "<br>")}</p>"));
}
