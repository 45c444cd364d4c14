using CrmPlatform.Service.Data;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Service.Tickets;

/// <summary>A new ticket from a channel: who wrote (their address and, if known, name), about what, and the message's id there.</summary>
/// <param name="Channel">One of <see cref="TicketChannels"/> (<c>email</c>, <c>web</c>).</param>
/// <param name="ExternalMessageId">The message's id in its channel (an email's Message-ID); the same id twice makes one ticket.</param>
/// <param name="ConfirmByEmail">Send the requester a "we received your request" email (<see cref="Mail.TicketConfirmationEmail"/>).</param>
/// <param name="Attachments">Files already checked (<see cref="TicketAttachment.Check"/>), saved with the first message.</param>
public sealed record IntakeTicket(
    string Channel, string RequesterEmail, string? RequesterName, string Subject, string Body, string? ExternalMessageId,
    string? Language = null, string? Priority = null, string? Category = null, string? Topic = null, string? Product = null,
    bool ConfirmByEmail = false, IReadOnlyList<TicketAttachment>? Attachments = null);

/// <summary>A requester's further message on a ticket (a reply by mail), with its checked files.</summary>
public sealed record IntakeMessage(string Channel, string FromEmail, string? FromName, string Body, string? ExternalMessageId,
    IReadOnlyList<TicketAttachment>? Attachments = null);

public enum IntakeOutcome
{
    /// <summary>A new ticket was opened.</summary>
    Created,
    /// <summary>The message was added to the ticket.</summary>
    Added,
    /// <summary>A message with the same external id was already taken: nothing was written, the ids are the first one's.</summary>
    Duplicate,
    /// <summary>The ticket was closed: the message opened a new ticket (the returned one) instead.</summary>
    FollowUpCreated,
}

/// <param name="TicketNumber">For a reference in subjects (<c>[#1042]</c>), which <see cref="TicketIntake.FindByNumberAsync"/> resolves.</param>
public sealed record IntakeResult(IntakeOutcome Outcome, Guid TicketId, long TicketNumber, Guid MessageId, string TicketStatus);

/// <summary>
/// Where tickets come in from channels other than the API (mail, the web form): one call per message, safe to repeat
/// with the same external message id. The caller sets the tenant (and leaves the actor empty: the platform acts) on
/// the scope's <c>TenantContext</c> first. The requester becomes a Contacts person as with the API; routing applies.
/// Validation is the caller's (lengths are cut here so a long mail never fails): the channel decides what is a ticket.
/// </summary>
public sealed class TicketIntake(ServiceDbContext db, TimeProvider clock)
{
    public async Task<IntakeResult> CreateTicketAsync(IntakeTicket intake, CancellationToken cancellationToken)
    {
        if (await FindMessageAsync(intake.ExternalMessageId, cancellationToken) is { } duplicate)
        {
            return duplicate;
        }
        var email = TicketRequest.NormalizedEmail(intake.RequesterEmail)!;
        var ticket = new Ticket
        {
            Channel = intake.Channel,
            Subject = Cut(string.IsNullOrWhiteSpace(intake.Subject) ? "(no subject)" : intake.Subject.Trim(), Ticket.SubjectMaxLength)!,
            Description = Cut(intake.Body, Ticket.DescriptionMaxLength),
            RequesterEmail = email,
            RequesterName = string.IsNullOrWhiteSpace(intake.RequesterName) ? null : Cut(intake.RequesterName.Trim(), Ticket.NameMaxLength),
            Priority = intake.Priority ?? TicketPriorities.Normal,
            Language = intake.Language?.ToLowerInvariant(),
            Category = TicketRequest.Value(intake.Category),
            Topic = TicketRequest.Value(intake.Topic),
            Product = TicketRequest.Value(intake.Product),
        };
        var message = CustomerMessage(intake.Channel, email, ticket.RequesterName, intake.Body, intake.ExternalMessageId);
        Attach(intake.Attachments, ticket.Id, message.Id);
        await TicketDesk.OpenAsync(db, ticket, message, clock, cancellationToken, intake.ConfirmByEmail);
        // The requester's messages are theirs once known (at once when the directory knew the address).
        if (ticket.RequesterId is { } requester)
        {
            await db.TicketMessages.Where(m => m.Id == message.Id).ExecuteUpdateAsync(m => m.SetProperty(x => x.AuthorId, requester.ToString()), cancellationToken);
        }
        return new IntakeResult(IntakeOutcome.Created, ticket.Id, ticket.Number, message.Id, ticket.Status);
    }

    /// <summary>
    /// Adds the requester's message to the ticket: a pending or solved ticket opens again. A closed ticket takes nothing
    /// more, so the message opens a follow-up ticket with the same subject.
    /// </summary>
    public async Task<IntakeResult?> AddCustomerMessageAsync(Guid ticketId, IntakeMessage intake, CancellationToken cancellationToken)
    {
        if (await FindMessageAsync(intake.ExternalMessageId, cancellationToken) is { } duplicate)
        {
            return duplicate;
        }
        var found = await db.Tickets.AsNoTracking().Where(t => t.Id == ticketId).Select(t => new { t.Status, t.Subject, t.RequesterId, t.Number }).SingleOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return null;
        }
        if (found.Status == TicketStatuses.Closed)
        {
            var followUp = await CreateTicketAsync(new IntakeTicket(intake.Channel, intake.FromEmail, intake.FromName, found.Subject, intake.Body,
                intake.ExternalMessageId, Attachments: intake.Attachments), cancellationToken);
            return followUp with { Outcome = IntakeOutcome.FollowUpCreated };
        }
        var message = CustomerMessage(intake.Channel, TicketRequest.NormalizedEmail(intake.FromEmail), intake.FromName, intake.Body, intake.ExternalMessageId);
        message.AuthorId = found.RequesterId?.ToString();
        Attach(intake.Attachments, ticketId, message.Id);
        var (ticket, problem) = await TicketDesk.AddMessageAsync(db, ticketId, message, null, clock, cancellationToken);
        if (problem is not null)
        {
            // Closed between the look and the write: the same as closed before.
            db.ChangeTracker.Clear();
            return await AddCustomerMessageAsync(ticketId, intake, cancellationToken);
        }
        return new IntakeResult(IntakeOutcome.Added, ticket!.Id, ticket.Number, message.Id, ticket.Status);
    }

    /// <summary>The ticket a message with one of these external ids belongs to (an email's In-Reply-To and References).</summary>
    public async Task<Guid?> FindTicketByMessageIdsAsync(IReadOnlyCollection<string> externalMessageIds, CancellationToken cancellationToken) =>
        externalMessageIds.Count == 0 ? null : await db.TicketMessages.AsNoTracking()
            .Where(m => m.ExternalMessageId != null && externalMessageIds.Contains(m.ExternalMessageId))
            .OrderByDescending(m => m.CreatedAt).Select(m => (Guid?)m.TicketId).FirstOrDefaultAsync(cancellationToken);

    /// <summary>The ticket with the tenant's number (a <c>[#1042]</c> in a subject).</summary>
    public Task<Guid?> FindByNumberAsync(long number, CancellationToken cancellationToken) =>
        db.Tickets.AsNoTracking().Where(t => t.Number == number).Select(t => (Guid?)t.Id).SingleOrDefaultAsync(cancellationToken);

    private async Task<IntakeResult?> FindMessageAsync(string? externalMessageId, CancellationToken cancellationToken) =>
        externalMessageId is null ? null : await (
                from m in db.TicketMessages.AsNoTracking()
                join t in db.Tickets.AsNoTracking() on m.TicketId equals t.Id
                where m.ExternalMessageId == externalMessageId
                select new IntakeResult(IntakeOutcome.Duplicate, t.Id, t.Number, m.Id, t.Status))
            .FirstOrDefaultAsync(cancellationToken);

    private static TicketMessage CustomerMessage(string channel, string? email, string? name, string body, string? externalMessageId) => new()
    {
        Kind = MessageKinds.Public,
        AuthorKind = AuthorKinds.Customer,
        AuthorEmail = email,
        AuthorName = name,
        Body = Cut(string.IsNullOrEmpty(body) ? "(empty)" : body, TicketMessage.BodyMaxLength)!,
        Channel = channel,
        ExternalMessageId = externalMessageId is null ? null : Cut(externalMessageId, TicketMessage.ExternalIdMaxLength),
    };

    /// <summary>Saved in the message's own SaveChanges: a message and its files commit together, so a retried delivery finds both or neither.</summary>
    private void Attach(IReadOnlyList<TicketAttachment>? attachments, Guid ticketId, Guid messageId)
    {
        foreach (var attachment in attachments ?? [])
        {
            (attachment.TicketId, attachment.MessageId) = (ticketId, messageId);
            db.TicketAttachments.Add(attachment);
        }
    }

    private static string? Cut(string? value, int maxLength) => value is null || value.Length <= maxLength ? value : value[..maxLength];
}
