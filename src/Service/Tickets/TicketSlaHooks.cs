using CrmPlatform.Service.Data;
using CrmPlatform.Service.Sla.Clocks;

namespace CrmPlatform.Service.Tickets;

/// <summary>
/// Tells a ticket's SLA clock what happened to the ticket, in the caller's transaction on the same
/// <see cref="ServiceDbContext"/> (the clock's row is locked until that commit). Every write path of a ticket calls
/// this after the ticket changed and before it saves, so the clock can never disagree with the status it follows.
/// </summary>
public static class TicketSlaHooks
{
    private static readonly string[] Waiting = [TicketStatuses.Pending, TicketStatuses.OnHold];

    /// <summary>A new ticket: the policy of its organization's contract valid today, else the tenant's default.</summary>
    public static async Task StartAsync(ServiceDbContext db, Ticket ticket, TimeProvider time, CancellationToken cancellationToken)
    {
        var clocks = new SlaClocks(db, time);
        if (await clocks.StartAsync(ticket.Id, ticket.Priority, ticket.OrganizationId, ticket.CreatedAt, cancellationToken) is null)
        {
            return;
        }
        await clocks.AssignedAsync(ticket.Id, ticket.GroupId, ticket.AssigneeId, cancellationToken);
        // Created straight into pending, on hold or solved: the clock follows from the first instant.
        await FollowAsync(db, ticket, TicketStatuses.New, ticket.Priority, ticket.GroupId, ticket.AssigneeId, ticket.CreatedAt, time, cancellationToken);
    }

    /// <summary>The ticket changed from what the arguments say it was: status, priority and assignment reach the clock.</summary>
    public static async Task FollowAsync(ServiceDbContext db, Ticket ticket, string previousStatus, string previousPriority,
        Guid? previousGroupId, string? previousAssigneeId, DateTime at, TimeProvider time, CancellationToken cancellationToken)
    {
        var clocks = new SlaClocks(db, time);
        if (ticket.Priority != previousPriority)
        {
            await clocks.PriorityChangedAsync(ticket.Id, ticket.Priority, at, cancellationToken);
        }
        if (ticket.GroupId != previousGroupId || ticket.AssigneeId != previousAssigneeId)
        {
            await clocks.AssignedAsync(ticket.Id, ticket.GroupId, ticket.AssigneeId, cancellationToken);
        }
        var status = ticket.Status;
        if (status == previousStatus)
        {
            return;
        }
        if (status == TicketStatuses.Solved)
        {
            await clocks.ResolveAsync(ticket.Id, at, cancellationToken);
        }
        else if (previousStatus == TicketStatuses.Solved && status != TicketStatuses.Closed)
        {
            await clocks.ReopenAsync(ticket.Id, at, cancellationToken);
            if (Waiting.Contains(status))
            {
                await clocks.PauseAsync(ticket.Id, at, cancellationToken);
            }
        }
        else if (Waiting.Contains(status))
        {
            await clocks.PauseAsync(ticket.Id, at, cancellationToken);
        }
        else if (Waiting.Contains(previousStatus) && status is TicketStatuses.Open or TicketStatuses.New)
        {
            await clocks.ResumeAsync(ticket.Id, at, cancellationToken);
        }
    }

    /// <summary>Only an agent's public reply answers the customer: internal notes and the customer's own messages do not.</summary>
    public static async Task MessageAddedAsync(ServiceDbContext db, Guid ticketId, TicketMessage message, DateTime at, TimeProvider time, CancellationToken cancellationToken)
    {
        if (message.Kind == MessageKinds.Public && message.AuthorKind == AuthorKinds.Agent)
        {
            await new SlaClocks(db, time).FirstResponseAsync(ticketId, at, cancellationToken);
        }
    }
}
