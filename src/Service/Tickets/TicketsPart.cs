using CrmPlatform.Persistence.Gdpr;
using CrmPlatform.Service.Data;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Service.Tickets;

/// <summary>
/// The tickets the person asked (as requester, or from their address before Contacts linked it) and what they wrote in
/// them. Erasure blanks who asked and what they wrote (subject, description, their messages and files); the tickets stay,
/// with their classification, agents and history, for the desk's figures.
/// </summary>
public sealed class TicketsPart : IPersonalDataPart<ServiceDbContext>
{
    public string Name => "tickets";

    private static async Task<IQueryable<Ticket>> OfAsync(ServiceDbContext db, Guid personId, CancellationToken cancellationToken)
    {
        var email = (await db.DirectoryContacts.AsNoTracking().Where(c => c.Id == personId).Select(c => c.Email).SingleOrDefaultAsync(cancellationToken))
            ?.Trim().ToLowerInvariant();
        return db.Tickets.Where(t => t.RequesterId == personId || (email != null && t.RequesterEmail == email));
    }

    public async Task<object?> CollectAsync(ServiceDbContext db, Guid personId, CancellationToken cancellationToken)
    {
        var tickets = await (await OfAsync(db, personId, cancellationToken)).AsNoTracking().OrderBy(t => t.CreatedAt)
            .Select(t => new
            {
                t.Id, t.Number, t.Subject, t.Description, t.RequesterEmail, t.RequesterName, t.Channel, t.Status, t.CreatedAt, t.SolvedAt,
                Messages = db.TicketMessages.Where(m => m.TicketId == t.Id && m.Kind == MessageKinds.Public)
                    .OrderBy(m => m.CreatedAt).Select(m => new { m.AuthorKind, m.Body, m.CreatedAt }).ToList(),
            })
            .ToListAsync(cancellationToken);
        return tickets.Count == 0 ? null : tickets;
    }

    public async Task<IReadOnlyCollection<Guid>> AuditedIdsAsync(ServiceDbContext db, Guid personId, CancellationToken cancellationToken) =>
        await (await OfAsync(db, personId, cancellationToken)).Select(t => t.Id).ToListAsync(cancellationToken);

    public async Task<int> EraseAsync(ServiceDbContext db, Guid personId, DateTime now, CancellationToken cancellationToken)
    {
        var tickets = await (await OfAsync(db, personId, cancellationToken)).ToListAsync(cancellationToken);
        var ids = tickets.Select(t => t.Id).ToList();
        tickets.ForEach(ticket => ticket.EraseRequester());
        var theirs = db.TicketMessages.Where(m => ids.Contains(m.TicketId) && m.AuthorKind == AuthorKinds.Customer);
        await db.TicketAttachments.Where(a => theirs.Select(m => m.Id).Contains(a.MessageId)).ExecuteDeleteAsync(cancellationToken);
        await theirs.ExecuteUpdateAsync(m => m
            .SetProperty(x => x.Body, "(erased)")
            .SetProperty(x => x.AuthorName, (string?)null)
            .SetProperty(x => x.AuthorEmail, (string?)null), cancellationToken);
        return tickets.Count;
    }
}
