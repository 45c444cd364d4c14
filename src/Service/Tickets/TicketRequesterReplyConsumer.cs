using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Persistence.ContactDirectory;
using CrmPlatform.Persistence.Inbox;
using CrmPlatform.Service.Data;
using CrmPlatform.ServiceDefaults;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Service.Tickets;

/// <summary>
/// Contacts' answer about a ticket's requester: the ticket gets its person (and their organization, if it had none),
/// announced as a change of <c>requesterId</c>; a rejection is shown on the ticket. Once per message (the inbox), and
/// only while the ticket still waits, so a repeated answer changes nothing.
/// </summary>
public sealed class TicketRequesterReplyConsumer(ServiceDbContext db, TenantContext tenant)
    : IConsumer<TicketRequesterResolved>, IConsumer<TicketRequesterRejected>
{
    public const string ConsumerName = "ticket-requesters";

    public async Task Consume(ConsumeContext<TicketRequesterResolved> context)
    {
        var reply = context.Message;
        tenant.TenantId = reply.TenantId;
        await db.ProcessOnceAsync(context.MessageId ?? reply.EventId, ConsumerName, async () =>
        {
            if (await WaitingAsync(reply.TicketId, context.CancellationToken) is not { } ticket)
            {
                return;
            }
            // The person's own PersonCreated may come later: a stand-in row at version 0, which any real event overwrites.
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO directory_contacts (id, tenant_id, version, is_deleted, created_at, updated_at, kind, display_name, email, organization_id, processing_restricted, objects_to_direct_marketing)
                VALUES ({reply.PersonId}, {reply.TenantId}, 0, false, {reply.OccurredAt}, {reply.OccurredAt}, {nameof(ContactKind.Person)}, {reply.PersonDisplayName}, {reply.PersonEmail}, {reply.OrganizationId}, false, false)
                ON CONFLICT DO NOTHING
                """, context.CancellationToken);
            ticket.RequesterId = reply.PersonId;
            ticket.RequesterState = RequesterStates.Known;
            ticket.RequesterProblem = null;
            ticket.OrganizationId ??= reply.OrganizationId;
            var changed = TicketsApi.ChangedFields(db, ticket);
            db.Stamp();
            foreach (var integrationEvent in ticket.Changed(changed, ticket.Status, db.Actor))
            {
                db.AddEvent(integrationEvent);
            }
            // A customer's messages written before the person was known are theirs too.
            await db.TicketMessages.Where(m => m.TicketId == ticket.Id && m.AuthorKind == AuthorKinds.Customer && m.AuthorId == null)
                .ExecuteUpdateAsync(m => m.SetProperty(x => x.AuthorId, reply.PersonId.ToString()), context.CancellationToken);
        }, context.CancellationToken);
    }

    public async Task Consume(ConsumeContext<TicketRequesterRejected> context)
    {
        var reply = context.Message;
        tenant.TenantId = reply.TenantId;
        await db.ProcessOnceAsync(context.MessageId ?? reply.EventId, ConsumerName, async () =>
        {
            if (await WaitingAsync(reply.TicketId, context.CancellationToken) is { } ticket)
            {
                ticket.RequesterState = RequesterStates.Rejected;
                ticket.RequesterProblem = reply.Detail;
            }
        }, context.CancellationToken);
    }

    private async Task<Ticket?> WaitingAsync(Guid ticketId, CancellationToken cancellationToken) =>
        (await db.Tickets.FromSql($"SELECT * FROM tickets WHERE id = {ticketId} AND tenant_id = {db.CurrentTenantId} FOR UPDATE")
            .SingleOrDefaultAsync(cancellationToken)) is { RequesterState: RequesterStates.Requested } ticket ? ticket : null;

    public static void Register(IBusRegistrationConfigurator bus, string serviceName) =>
        bus.AddConsumer<TicketRequesterReplyConsumer>().Endpoint(endpoint => endpoint.Name = $"{serviceName}-{ConsumerName}");
}
