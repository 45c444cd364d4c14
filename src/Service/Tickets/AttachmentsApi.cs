using CrmPlatform.Service.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Service.Tickets;

/// <summary>
/// Files on ticket messages: uploaded as multipart (field <c>file</c>), at most <c>Service:Attachments:MaxBytes</c>
/// (10 MB) each (413 beyond), of a type on <see cref="FileSignatures.Allowed"/> that the bytes prove (422 otherwise);
/// downloaded only as an attachment, never rendered.
/// </summary>
public static class AttachmentsApi
{
    public const long DefaultMaxBytes = 10 * 1024 * 1024;

    public static long MaxBytes(IConfiguration configuration) =>
        configuration.GetValue<long?>("Service:Attachments:MaxBytes") ?? DefaultMaxBytes;

    public static RouteGroupBuilder MapAttachmentsApi(this IEndpointRouteBuilder app)
    {
        var maxBytes = MaxBytes(app.ServiceProvider.GetRequiredService<IConfiguration>());
        var api = app.MapGroup("/api/v1/tickets/{id:guid}").WithTags("Tickets");
        // The multipart envelope around the file (boundaries, headers) gets some room above the file's own limit.
        api.MapPost("/messages/{messageId:guid}/attachments", Upload).RequirePermission(Permissions.Tickets, Operation.Update)
            .WithMetadata(new RequestSizeLimitAttribute(maxBytes + 64 * 1024)).DisableAntiforgery();
        api.MapGet("/attachments/{attachmentId:guid}", Download).Produces<string>(StatusCodes.Status200OK, "application/octet-stream").RequirePermission(Permissions.Tickets, Operation.Read);
        return api;
    }

    public static async Task<Results<Created<AttachmentResponse>, ProblemHttpResult>> Upload(
        Guid id, Guid messageId, HttpRequest request, ServiceDbContext db, IConfiguration configuration, CancellationToken cancellationToken)
    {
        if (!await db.TicketMessages.AnyAsync(m => m.Id == messageId && m.TicketId == id, cancellationToken)
            || !await db.Tickets.AnyAsync(t => t.Id == id, cancellationToken))
        {
            return ApiProblems.NotFound("ticket message", messageId);
        }
        if (!request.HasFormContentType)
        {
            return Refused("file", "Send the file as multipart/form-data in a field named 'file'.");
        }
        var form = await request.ReadFormAsync(cancellationToken);
        if (form.Files.GetFile("file") is not { } file || file.Length == 0)
        {
            return Refused("file", "Send a non-empty file in a field named 'file'.");
        }
        var maxBytes = MaxBytes(configuration);
        if (file.Length > maxBytes)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Attachment too large",
                detail: $"An attachment is limited to {maxBytes} bytes; this one has {file.Length}.");
        }
        using var buffer = new MemoryStream((int)file.Length);
        await file.CopyToAsync(buffer, cancellationToken);
        var (attachment, refusal) = TicketAttachment.Check(file.FileName, file.ContentType, buffer.ToArray(), maxBytes, db.Actor);
        if (attachment is null)
        {
            return Refused("file", refusal!);
        }
        (attachment.TicketId, attachment.MessageId) = (id, messageId);
        db.TicketAttachments.Add(attachment);
        await db.SaveChangesAsync(cancellationToken);
        var url = $"/api/v1/tickets/{id}/attachments/{attachment.Id}";
        return TypedResults.Created(url, new AttachmentResponse(attachment.Id, attachment.FileName, attachment.ContentType, attachment.Size,
            attachment.Sha256, attachment.CreatedAt, url));
    }

    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Download(
        Guid id, Guid attachmentId, ServiceDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        // Through the ticket: whoever cannot see it cannot see its files.
        var attachment = await (
                from a in db.TicketAttachments.AsNoTracking()
                join t in db.Tickets on a.TicketId equals t.Id
                where a.Id == attachmentId && a.TicketId == id
                select a)
            .SingleOrDefaultAsync(cancellationToken);
        if (attachment is null)
        {
            return ApiProblems.NotFound("attachment", attachmentId);
        }
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        return TypedResults.File(attachment.Content, attachment.ContentType, attachment.FileName);
    }

    private static ProblemHttpResult Refused(string field, string detail) =>
        ApiProblems.Unprocessable(detail, new Dictionary<string, string[]> { [field] = [detail] });
}
