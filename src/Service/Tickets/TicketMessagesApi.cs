using CrmPlatform.Service.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Service.Tickets;

/// <summary>
/// A message to add: a public reply or an internal note by an agent (the caller), or, with <c>authorKind: customer</c>,
/// what the requester said on another channel (a phone call); <c>status</c> moves the ticket at the same time.
/// </summary>
public sealed record TicketMessageRequest(string? Body, string? Kind = null, string? AuthorKind = null, string? Status = null)
{
    public FieldErrors Validate() => new FieldErrors()
        .Required("body", Body, TicketMessage.BodyMaxLength)
        .When(Kind is not null && !MessageKinds.All.Contains(Kind), "kind", $"kind must be one of {string.Join(", ", MessageKinds.All)}.")
        .When(AuthorKind is not null && !AuthorKinds.All.Contains(AuthorKind), "authorKind", $"authorKind must be one of {string.Join(", ", AuthorKinds.All)}.")
        .When(AuthorKind == AuthorKinds.Customer && Kind == MessageKinds.Internal, "kind", "A customer's message is public.")
        .When(Status is not null && !TicketStatuses.All.Contains(Status), "status", $"status must be one of {string.Join(", ", TicketStatuses.All)}.");
}

public sealed record AttachmentResponse(Guid Id, string FileName, string ContentType, long Size, string Sha256, DateTime CreatedAt, string Url);

public sealed record TicketMessageResponse(
    Guid Id, Guid TicketId, string Kind, string AuthorKind, string? AuthorId, string? AuthorName, string? AuthorEmail, string Body,
    string Channel, string? ExternalMessageId, DateTime CreatedAt, IReadOnlyList<AttachmentResponse> Attachments, string TicketStatus);

/// <summary><c>/api/v1/tickets/{id}/messages</c>: the conversation, oldest first.</summary>
public static class TicketMessagesApi
{
    public static RouteGroupBuilder MapTicketMessagesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/tickets/{id:guid}/messages").WithTags("Tickets");
        api.MapGet("/", ListMessages).RequirePermission(Permissions.Tickets, Operation.Read);
        api.MapPost("/", AddMessage).RequirePermission(Permissions.Tickets, Operation.Update);
        return api;
    }

    public static async Task<Results<Ok<List<TicketMessageResponse>>, ProblemHttpResult>> ListMessages(
        Guid id, string? kind, ServiceDbContext db, CancellationToken cancellationToken)
    {
        var status = await db.Tickets.Where(t => t.Id == id).Select(t => t.Status).SingleOrDefaultAsync(cancellationToken);
        if (status is null)
        {
            return ApiProblems.NotFound("ticket", id);
        }
        var messages = await db.TicketMessages.AsNoTracking().Where(m => m.TicketId == id && (kind == null || m.Kind == kind))
            .OrderBy(m => m.CreatedAt).ThenBy(m => m.Id).ToListAsync(cancellationToken);
        var attachments = await AttachmentsOfAsync(db, id, cancellationToken);
        return TypedResults.Ok(messages.Select(m => ToResponse(m, attachments, status)).ToList());
    }

    public static async Task<Results<Created<TicketMessageResponse>, ValidationProblem, ProblemHttpResult>> AddMessage(
        Guid id, TicketMessageRequest request, ServiceDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var customer = request.AuthorKind == AuthorKinds.Customer;
        var requester = customer
            ? await db.Tickets.AsNoTracking().Where(t => t.Id == id).Select(t => new { t.RequesterId, t.RequesterName, t.RequesterEmail }).SingleOrDefaultAsync(cancellationToken)
            : null;
        var message = new TicketMessage
        {
            Kind = request.Kind ?? MessageKinds.Public,
            AuthorKind = request.AuthorKind ?? AuthorKinds.Agent,
            AuthorId = customer ? requester?.RequesterId?.ToString() : db.Actor,
            AuthorName = requester?.RequesterName,
            AuthorEmail = requester?.RequesterEmail,
            Body = request.Body!,
            Channel = TicketChannels.Api,
        };
        var (ticket, problem) = await TicketDesk.AddMessageAsync(db, id, message, request.Status, clock, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        return TypedResults.Created($"/api/v1/tickets/{id}/messages/{message.Id}", ToResponse(message, NoAttachments, ticket!.Status));
    }

    private static readonly ILookup<Guid, AttachmentResponse> NoAttachments = Array.Empty<AttachmentResponse>().ToLookup(a => a.Id);

    internal static async Task<ILookup<Guid, AttachmentResponse>> AttachmentsOfAsync(ServiceDbContext db, Guid ticketId, CancellationToken cancellationToken) =>
        (await db.TicketAttachments.AsNoTracking().Where(a => a.TicketId == ticketId).OrderBy(a => a.CreatedAt)
            .Select(a => new { a.MessageId, a.Id, a.FileName, a.ContentType, a.Size, a.Sha256, a.CreatedAt })
            .ToListAsync(cancellationToken))
        .ToLookup(a => a.MessageId, a => new AttachmentResponse(a.Id, a.FileName, a.ContentType, a.Size, a.Sha256, a.CreatedAt,
            $"/api/v1/tickets/{ticketId}/attachments/{a.Id}"));

    private static TicketMessageResponse ToResponse(TicketMessage m, ILookup<Guid, AttachmentResponse> attachments, string ticketStatus) => new(
        m.Id, m.TicketId, m.Kind, m.AuthorKind, m.AuthorId, m.AuthorName, m.AuthorEmail, m.Body, m.Channel, m.ExternalMessageId, m.CreatedAt,
        [.. attachments[m.Id]], ticketStatus);
}
