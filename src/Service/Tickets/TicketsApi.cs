using CrmPlatform.Persistence.ContactDirectory;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.Service.Csat;
using CrmPlatform.Service.Data;
using CrmPlatform.Service.Routing;
using CrmPlatform.Service.Sla.Clocks;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace CrmPlatform.Service.Tickets;

/// <summary>
/// <c>/api/v1/tickets</c>: the support desk's tickets; <c>…/{id}/route</c> applies the routing rules now and
/// <c>…/{id}/assignments</c> shows who had it, by which rule and why.
/// </summary>
public static class TicketsApi
{
    private const string Resource = "ticket";

    public static RouteGroupBuilder MapTicketsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/tickets").WithTags("Tickets");
        api.MapGet("/", ListTickets).Lists(ListFields).RequirePermission(Permissions.Tickets, Operation.Read);
        api.MapGet("/{id:guid}", GetTicket).RequirePermission(Permissions.Tickets, Operation.Read);
        api.MapPost("/", CreateTicket).RequirePermission(Permissions.Tickets, Operation.Create);
        api.MapPut("/{id:guid}", UpdateTicket).RequirePermission(Permissions.Tickets, Operation.Update);
        api.MapDelete("/{id:guid}", DeleteTicket).RequirePermission(Permissions.Tickets, Operation.Delete);
        api.MapPost("/{id:guid}/route", RouteTicket).RequirePermission(Permissions.Tickets, Operation.Update);
        api.MapGet("/{id:guid}/assignments", ListAssignments).RequirePermission(Permissions.Tickets, Operation.Read);
        return api;
    }

    private static readonly ListFields<Ticket> ListFields = new ListFields<Ticket>()
        .Filter("status", t => t.Status)
        .Filter("priority", t => t.Priority)
        .Filter("channel", t => t.Channel)
        .Filter("assigneeId", t => t.AssigneeId)
        .Filter("groupId", t => t.GroupId)
        .Filter("requesterId", t => t.RequesterId)
        .Filter("organizationId", t => t.OrganizationId)
        .Filter("category", t => t.Category, v => v.ToLowerInvariant())
        .Filter("topic", t => t.Topic, v => v.ToLowerInvariant())
        .Filter("product", t => t.Product, v => v.ToLowerInvariant())
        .Filter("language", t => t.Language, v => v.ToLowerInvariant())
        .Filter("number", t => t.Number)
        .Filter("tag", value => t => t.Tags.Contains(value.ToLowerInvariant()))
        .Filter("unassigned", value => bool.TryParse(value, out var unassigned) ? t => (t.AssigneeId == null) == unassigned : null)
        .Sort("updatedAt", t => t.UpdatedAt)
        .Sort("statusChangedAt", t => t.StatusChangedAt)
        .Sort("number", t => t.Number)
        .Sort("status", t => t.Status)
        .Sort("subject", t => t.Subject);

    public static async Task<Results<Ok<CursorPage<TicketResponse>>, ValidationProblem>> ListTickets(
        ServiceDbContext db, SlaClocks clocks, HttpRequest request, CancellationToken cancellationToken)
    {
        if (!ListQuery<Ticket>.TryParse(request.Query, ListFields, out var list, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        var page = await list.ToPageAsync(db.Tickets.AsNoTracking(), TicketResponse.From, cancellationToken);
        var slas = await clocks.ViewsAsync([.. page.Items.Select(t => t.Id)], cancellationToken);
        return TypedResults.Ok(page with { Items = [.. page.Items.Select(t => t with { Sla = slas.GetValueOrDefault(t.Id) })] });
    }

    public static async Task<Results<Ok<TicketResponse>, ProblemHttpResult>> GetTicket(
        Guid id, ServiceDbContext db, SlaClocks clocks, HttpResponse response, CancellationToken cancellationToken)
    {
        var ticket = await db.Tickets.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (ticket is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, ticket.Version);
        return TypedResults.Ok(TicketResponse.From(ticket, await clocks.ViewAsync(id, cancellationToken)));
    }

    public static async Task<Results<Created<TicketResponse>, ValidationProblem, ProblemHttpResult>> CreateTicket(
        TicketRequest request, ServiceDbContext db, SlaClocks clocks, HttpResponse response, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = request.Validate(creating: true);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var ticket = new Ticket
        {
            Channel = request.Channel ?? TicketChannels.Api,
            RequesterEmail = TicketRequest.NormalizedEmail(request.RequesterEmail),
            RequesterName = string.IsNullOrWhiteSpace(request.RequesterName) ? null : request.RequesterName.Trim(),
            AssigneeId = request.AssigneeId?.Trim(),
            GroupId = request.GroupId,
        };
        request.ApplyTo(ticket);
        if (await ReferencesAsync(db, request, ticket, cancellationToken) is { } refused)
        {
            return refused;
        }
        await TicketDesk.OpenAsync(db, ticket, null, clock, cancellationToken);
        ETags.Set(response, ticket.Version);
        return TypedResults.Created($"/api/v1/tickets/{ticket.Id}", TicketResponse.From(ticket, await clocks.ViewAsync(ticket.Id, cancellationToken)));
    }

    /// <summary>
    /// The requester, organization and group the request names must exist (422 otherwise); a known requester also gives
    /// the ticket their address, name and organization where the request leaves them out.
    /// </summary>
    private static async Task<ProblemHttpResult?> ReferencesAsync(ServiceDbContext db, TicketRequest request, Ticket ticket, CancellationToken cancellationToken)
    {
        if (request.RequesterId is { } requesterId && requesterId != ticket.RequesterId)
        {
            var person = await db.DirectoryContacts.AsNoTracking()
                .SingleOrDefaultAsync(c => c.Id == requesterId && c.Kind == ContactKind.Person && !c.IsDeleted, cancellationToken);
            if (person is null)
            {
                return Unprocessable("requesterId", $"Service knows no person with id '{requesterId}'. A person created moments ago may still be on its way from Contacts.");
            }
            if (person.ProcessingRestricted)
            {
                return Unprocessable("requesterId", $"The person '{requesterId}' has restricted the processing of their data.");
            }
            ticket.RequesterId = person.Id;
            ticket.RequesterState = RequesterStates.Known;
            ticket.RequesterProblem = null;
            ticket.RequesterEmail ??= person.Email?.ToLowerInvariant();
            ticket.RequesterName ??= person.DisplayName;
            ticket.OrganizationId ??= person.OrganizationId;
        }
        if (request.OrganizationId is { } organizationId
            && !await db.DirectoryContacts.AnyAsync(c => c.Id == organizationId && c.Kind == ContactKind.Organization && !c.IsDeleted, cancellationToken))
        {
            return Unprocessable("organizationId", $"Service knows no organization with id '{organizationId}'.");
        }
        if (request.GroupId is { } groupId && !await db.SupportGroups.AnyAsync(g => g.Id == groupId, cancellationToken))
        {
            return Unprocessable("groupId", $"No support group with id '{groupId}'.");
        }
        return null;
    }

    private static ProblemHttpResult Unprocessable(string field, string detail) =>
        ApiProblems.Unprocessable(detail, new Dictionary<string, string[]> { [field] = [detail] });

    /// <summary>
    /// Replaces the ticket's fields; a status move must be allowed (409 otherwise); a new assignee or group is recorded
    /// in the assignment history. The event names exactly what changed.
    /// </summary>
    public static async Task<Results<Ok<TicketResponse>, ValidationProblem, ProblemHttpResult>> UpdateTicket(
        Guid id, TicketRequest request, ServiceDbContext db, SlaClocks clocks, HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = request.Validate(creating: false);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        // One transaction: the ticket's change and its SLA clock's (whose row is locked until the commit).
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var ticket = await db.Tickets.SingleOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (ticket is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, ticket.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (ticket.Status == TicketStatuses.Closed)
        {
            return ApiProblems.Conflict($"The ticket #{ticket.Number} is closed, which is final.", new Dictionary<string, object?> { ["currentStatus"] = ticket.Status });
        }
        var (previousStatus, previousPriority, previousGroupId, previousAssigneeId) = (ticket.Status, ticket.Priority, ticket.GroupId, ticket.AssigneeId);
        var now = clock.GetUtcNow().UtcDateTime;
        if (request.Status is { } status && !ticket.MoveTo(status, now))
        {
            return TicketDesk.IllegalMove(ticket, status);
        }
        request.ApplyTo(ticket);
        if (await ReferencesAsync(db, request, ticket, cancellationToken) is { } refused)
        {
            return refused;
        }
        var assignee = request.AssigneeId?.Trim();
        if (assignee != ticket.AssigneeId || request.GroupId != ticket.GroupId)
        {
            TicketRouter.Record(db, ticket, null, request.GroupId, assignee, $"assigned by {db.Actor}", TicketRouter.Manual);
        }
        await TicketSlaHooks.FollowAsync(db, ticket, previousStatus, previousPriority, previousGroupId, previousAssigneeId, now, clock, cancellationToken);
        var result = await SaveChangeAsync(db, clocks, ticket, previousStatus, http.Response, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>Saves a change of the ticket with the events naming what changed; nothing is written when nothing changed.</summary>
    private static async Task<Results<Ok<TicketResponse>, ValidationProblem, ProblemHttpResult>> SaveChangeAsync(
        ServiceDbContext db, SlaClocks clocks, Ticket ticket, string previousStatus, HttpResponse response, CancellationToken cancellationToken)
    {
        var changed = ChangedFields(db, ticket);
        if (changed.Count > 0)
        {
            await CsatSurveys.OnStatusChangedAsync(db, ticket, previousStatus, ticket.StatusChangedAt, cancellationToken);
            db.Stamp();
            foreach (var integrationEvent in ticket.Changed(changed, previousStatus, db.Actor))
            {
                db.AddEvent(integrationEvent);
            }
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateConcurrencyException)
            {
                return ApiProblems.ConcurrentUpdate(Resource, ticket.Id);
            }
        }
        ETags.Set(response, ticket.Version);
        return TypedResults.Ok(TicketResponse.From(ticket, await clocks.ViewAsync(ticket.Id, cancellationToken)));
    }

    private static readonly HashSet<string> Bookkeeping =
    [
        nameof(Ticket.UpdatedAt), nameof(Ticket.UpdatedBy), nameof(Ticket.Version), nameof(Ticket.StatusChangedAt),
        nameof(Ticket.SolvedAt), nameof(Ticket.ClosedAt), nameof(Ticket.AssignedByRuleId), nameof(Ticket.AssignmentReason),
        nameof(Ticket.RequesterState), nameof(Ticket.RequesterProblem),
    ];

    /// <summary>The ticket's fields this request changed, as the API names them.</summary>
    public static List<string> ChangedFields(ServiceDbContext db, Ticket ticket)
    {
        db.ChangeTracker.DetectChanges();
        return ChangedFields(db.Entry(ticket));
    }

    /// <summary>
    /// Without a whole-context <c>DetectChanges</c> (the entry detects its own): for callers that change many tickets in
    /// one context, where one detection per ticket would cost the square of their number.
    /// </summary>
    public static List<string> ChangedFields(EntityEntry<Ticket> ticket)
    {
        return [.. ticket.Properties
            .Where(p => p.IsModified && !Bookkeeping.Contains(p.Metadata.Name)
                && !Equals(p.OriginalValue, p.CurrentValue)
                && !(p.OriginalValue is List<string> before && p.CurrentValue is List<string> after && before.SequenceEqual(after)))
            .Select(p => char.ToLowerInvariant(p.Metadata.Name[0]) + p.Metadata.Name[1..])];
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteTicket(
        Guid id, ServiceDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        var version = await db.Tickets.Where(t => t.Id == id).Select(t => (int?)t.Version).SingleOrDefaultAsync(cancellationToken);
        if (version is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(request, version.Value, out _) is { } precondition)
        {
            return precondition;
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var deleted = await db.Tickets.Where(t => t.Id == id && t.Version == version).ExecuteDeleteAsync(cancellationToken);
        if (deleted == 0)
        {
            return ApiProblems.ConcurrentUpdate(Resource, id);
        }
        // The clock has no foreign key to its ticket (the SLA engine knows tickets only by id): it goes with it, or the sweep would escalate a ghost.
        await db.TicketSlas.Where(s => s.Id == id).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>Applies the routing rules now (422 when none matches; nothing changes then).</summary>
    public static async Task<Results<Ok<TicketResponse>, ValidationProblem, ProblemHttpResult>> RouteTicket(
        Guid id, ServiceDbContext db, SlaClocks clocks, HttpResponse response, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var ticket = await db.Tickets
            .FromSql($"SELECT * FROM tickets WHERE id = {id} AND tenant_id = {db.CurrentTenantId} FOR UPDATE")
            .SingleOrDefaultAsync(cancellationToken);
        if (ticket is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ticket.Status is TicketStatuses.Solved or TicketStatuses.Closed)
        {
            return ApiProblems.Conflict($"The ticket #{ticket.Number} is {ticket.Status}; only unsolved tickets are routed.");
        }
        var (previousGroupId, previousAssigneeId) = (ticket.GroupId, ticket.AssigneeId);
        if (await TicketRouter.RouteAsync(db, ticket, TicketRouter.OnDemand, cancellationToken) is null)
        {
            return Unprocessable("rules", "No active routing rule matches the ticket.");
        }
        await TicketSlaHooks.FollowAsync(db, ticket, ticket.Status, ticket.Priority, previousGroupId, previousAssigneeId,
            clock.GetUtcNow().UtcDateTime, clock, cancellationToken);
        var result = await SaveChangeAsync(db, clocks, ticket, ticket.Status, response, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    public sealed record AssignmentResponse(
        Guid Id, Guid? RuleId, Guid? GroupId, string? AssigneeId, string? PreviousAssigneeId, string Reason, string Trigger, string AssignedBy, DateTime AssignedAt);

    public static async Task<Results<Ok<List<AssignmentResponse>>, ProblemHttpResult>> ListAssignments(
        Guid id, ServiceDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.Tickets.AnyAsync(t => t.Id == id, cancellationToken))
        {
            return ApiProblems.NotFound(Resource, id);
        }
        var history = await db.TicketAssignments.AsNoTracking().Where(a => a.TicketId == id).OrderBy(a => a.CreatedAt).ThenBy(a => a.Id)
            .Select(a => new AssignmentResponse(a.Id, a.RuleId, a.GroupId, a.AssigneeId, a.PreviousAssigneeId, a.Reason, a.Trigger, a.AssignedBy, a.CreatedAt))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(history);
    }
}
