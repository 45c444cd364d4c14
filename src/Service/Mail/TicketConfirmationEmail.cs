using System.Text.Encodings.Web;
using CrmPlatform.Persistence.Mail;
using CrmPlatform.Service.Data;
using CrmPlatform.Service.Tickets;

namespace CrmPlatform.Service.Mail;

/// <summary>
/// "We received your request #42", queued in the transaction that opens a help-centre ticket. Its Message-ID becomes
/// the first message's external id: the requester's answer to it threads into the ticket by In-Reply-To, as an answer
/// to an agent's reply does. Mail tickets get none: an automatic answer to mail is what starts loops with autoresponders.
/// </summary>
public static class TicketConfirmationEmail
{
    private const int MaxQuotedSubject = 80;

    /// <summary>Queues the confirmation of <paramref name="ticket"/> (numbered, not yet saved); nothing when nobody may receive it.</summary>
    public static async Task QueueAsync(ServiceDbContext db, Ticket ticket, TicketMessage request, DateTime now, CancellationToken cancellationToken)
    {
        if (await TicketReplyEmail.RecipientAsync(db, ticket, cancellationToken) is not { } to)
        {
            return;
        }
        var settings = TicketReplyEmail.Settings(db);
        var emailId = Guid.CreateVersion7();
        request.ExternalMessageId = OutgoingEmail.MessageIdOf(emailId, settings.MessageIdDomain);
        var (subject, text, html) = Compose(ticket);
        db.OutgoingEmails.Add(OutgoingEmail.Create(to, subject, text, html, now + settings.ReplyLifetime, now,
            from: await TicketReplyEmail.SenderAsync(db, ticket.GroupId, cancellationToken), id: emailId));
    }

    /// <remarks>
    /// The request's text is not quoted: the form is public, and a confirmation carrying anyone's text to any address
    /// would make the desk a spam relay. The subject is cut short for the same reason.
    /// </remarks>
    public static (string Subject, string Text, string Html) Compose(Ticket ticket)
    {
        var topic = ticket.Subject.Length <= MaxQuotedSubject ? ticket.Subject : $"{ticket.Subject[..MaxQuotedSubject]}…";
        var subject = $"We received your request: {topic} [#{ticket.Number}]";
        var text = $"Hello,\r\n\r\nthank you for writing to us. Your request has the number #{ticket.Number}; we will answer you by email.\r\n"
            + "To add something, answer this email.\r\n";
        var e = HtmlEncoder.Default;
        var html = $"""
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>{e.Encode(subject)}</title></head>
            <body style="font-family:sans-serif">
            <p>Hello,</p>
            <p>thank you for writing to us. Your request has the number #{ticket.Number}; we will answer you by email.
            To add something, answer this email.</p>
            </body></html>
            """;
        return (subject, text, html);
    }
}
