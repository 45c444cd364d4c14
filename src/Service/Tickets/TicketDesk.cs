using CrmPlatform.Contracts.Service.V1;
using CrmPlatform.Service.Csat;
using CrmPlatform.Service.Data;
using CrmPlatform.Service.Mail;
using CrmPlatform.Service.Routing;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Service.Tickets;

/// <summary>
/// The writes every channel shares (the API, and <see cref="TicketIntake"/> for mail and web forms): opening a ticket
/// and adding to its conversation, each in one transaction with its events, its routing and its request to Contacts.
/// </summary>
public static class TicketDesk
{
    /// <summary>
    /// Numbers the ticket, knows its requester (the directory's person with the address, else asks Contacts), routes it
    /// when nobody is assigned, and saves it with <paramref name="firstMessage"/> and its events.
    /// </summary>
    public static async Task OpenAsync(ServiceDbContext db, Ticket ticket, TicketMessage? firstMessage, TimeProvider clock, CancellationToken cancellationToken,
        bool confirmByEmail = false)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        ticket.Open(now);

        TicketRequesterRequested? askContacts = null;
        if (ticket.RequesterId is null && ticket.RequesterEmail is { } email)
        {
            var known = await db.DirectoryContacts.AsNoTracking()
                // A person who restricted processing is not linked here: Contacts decides (and refuses), as for an unknown address.
                .Where(c => !c.IsDeleted && !c.ProcessingRestricted && c.Kind == Persistence.ContactDirectory.ContactKind.Person && c.Email != null && c.Email.ToLower() == email)
                .OrderBy(c => c.CreatedAt).FirstOrDefaultAsync(cancellationToken);
            if (known is not null)
            {
                ticket.RequesterId = known.Id;
                ticket.OrganizationId ??= known.OrganizationId;
                ticket.RequesterState = RequesterStates.Known;
            }
            else
            {
                ticket.RequesterState = RequesterStates.Requested;
                var (first, last) = SplitName(ticket.RequesterName, email);
                askContacts = new TicketRequesterRequested(Guid.CreateVersion7(), now, db.CurrentTenantId, ticket.Id, 1,
                    ticket.Id, email, first, last, Guid.CreateVersion7(), db.Actor);
            }
        }

        if (ticket.AssigneeId is not null || ticket.GroupId is not null)
        {
            TicketRouter.Record(db, ticket, null, ticket.GroupId, ticket.AssigneeId, $"assigned by {db.Actor} at creation", TicketRouter.Manual);
        }
        else
        {
            await TicketRouter.RouteAsync(db, ticket, TicketRouter.OnCreation, cancellationToken);
        }
        // A ticket's first assignment has nobody before it.
        foreach (var assignment in db.ChangeTracker.Entries<TicketAssignment>().Where(e => e.State == EntityState.Added))
        {
            assignment.Entity.PreviousAssigneeId = null;
        }

        // Numbered last: the counter's row stays locked until the commit, so the fewer steps after it, the less tickets wait.
        ticket.Number = (await db.Database.SqlQuery<long>($"""
            INSERT INTO ticket_numbers (tenant_id, last) VALUES ({db.CurrentTenantId}, 1)
            ON CONFLICT (tenant_id) DO UPDATE SET last = ticket_numbers.last + 1 RETURNING last AS "Value"
            """).ToListAsync(cancellationToken)).Single();
        db.Tickets.Add(ticket);
        if (firstMessage is not null)
        {
            firstMessage.TicketId = ticket.Id;
            db.TicketMessages.Add(firstMessage);
            if (confirmByEmail)
            {
                await TicketConfirmationEmail.QueueAsync(db, ticket, firstMessage, now, cancellationToken);
            }
        }
        db.Stamp();
        // After Stamp: the clock starts at the ticket's CreatedAt.
        await TicketSlaHooks.StartAsync(db, ticket, clock, cancellationToken);
        db.AddEvent(ticket.Created());
        if (askContacts is not null)
        {
            db.AddEvent(askContacts);
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Adds a message and moves the ticket as the message implies: a customer's reply reopens a pending or solved ticket,
    /// an agent's first public reply opens a new one, and <paramref name="status"/> (if given) is where the author
    /// puts it. Returns the ticket's new status, or a problem (404, 409) with nothing written.
    /// </summary>
    public static async Task<(Ticket? Ticket, ProblemHttpResult? Problem)> AddMessageAsync(
        ServiceDbContext db, Guid ticketId, TicketMessage message, string? status, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Locked: two replies at once each see the status the other left.
        var ticket = await db.Tickets
            .FromSql($"SELECT * FROM tickets WHERE id = {ticketId} AND tenant_id = {db.CurrentTenantId} FOR UPDATE")
            .SingleOrDefaultAsync(cancellationToken);
        if (ticket is null)
        {
            return (null, ApiProblems.NotFound("ticket", ticketId));
        }
        if (ticket.Status == TicketStatuses.Closed)
        {
            return (null, ApiProblems.Conflict($"The ticket #{ticket.Number} is closed; nothing more can be added to it (open a new ticket).",
                new Dictionary<string, object?> { ["currentStatus"] = ticket.Status }));
        }
        var previous = ticket.Status;
        var target = status
            ?? (message.AuthorKind == AuthorKinds.Customer ? TicketStatuses.AfterCustomerReply(ticket.Status)
                : message.Kind == MessageKinds.Public && ticket.Status == TicketStatuses.New ? TicketStatuses.Open
                : ticket.Status)!;
        if (!ticket.MoveTo(target, now))
        {
            return (null, IllegalMove(ticket, target));
        }

        message.TicketId = ticket.Id;
        if (message.Kind == MessageKinds.Public && message.AuthorKind == AuthorKinds.Agent)
        {
            await TicketReplyEmail.QueueAsync(db, ticket, message, now, cancellationToken);
        }
        await CsatSurveys.OnStatusChangedAsync(db, ticket, previous, now, cancellationToken);
        db.TicketMessages.Add(message);
        // The reply is answered before the status it sets pauses or solves the clock.
        await TicketSlaHooks.MessageAddedAsync(db, ticket.Id, message, now, clock, cancellationToken);
        await TicketSlaHooks.FollowAsync(db, ticket, previous, ticket.Priority, ticket.GroupId, ticket.AssigneeId, now, clock, cancellationToken);
        db.Stamp();
        if (previous != ticket.Status)
        {
            foreach (var integrationEvent in ticket.Changed(["status"], previous, db.Actor))
            {
                db.AddEvent(integrationEvent);
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (ticket, null);
    }

    public static ProblemHttpResult IllegalMove(Ticket ticket, string to) => ApiProblems.Conflict(
        $"A ticket cannot move from '{ticket.Status}' to '{to}'.",
        new Dictionary<string, object?> { ["currentStatus"] = ticket.Status, ["allowedStatuses"] = TicketStatuses.MovesFrom(ticket.Status) });

    /// <summary>"Ada Lovelace" → (Ada, Lovelace); no name → the address's local part as the last name.</summary>
    public static (string? First, string Last) SplitName(string? name, string email)
    {
        var trimmed = name?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return (null, email.Split('@')[0]);
        }
        var space = trimmed.LastIndexOf(' ');
        return space <= 0 ? (null, trimmed) : (trimmed[..space].Trim(), trimmed[(space + 1)..]);
    }
}
