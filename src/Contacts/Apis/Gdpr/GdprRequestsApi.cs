using System.Text.Json;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Gdpr;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrmPlatform.Contacts.Apis.Gdpr;

public sealed record GdprRequestBody(Guid? PersonId, string? Type);

/// <summary>One service's answer: when, and for an erasure what it erased (counts by kind).</summary>
public sealed record GdprServiceStatus(string Service, bool Answered, DateTime? At, IReadOnlyDictionary<string, int>? Erased);

public sealed record GdprRequestResponse(
    Guid Id, Guid PersonId, string Type, string Status, bool Overdue, string RequestedBy, DateTime RequestedAt, DateTime? CompletedAt,
    IReadOnlyList<GdprServiceStatus> Services, IReadOnlyList<string> PendingServices, int Version)
{
    public static GdprRequestResponse From(GdprRequest r, DateTime now, TimeSpan timeout) => new(
        r.Id, r.PersonId, r.Type, r.Status, r.Status != GdprRequestStatuses.Completed && now - r.CreatedAt > timeout,
        r.RequestedBy, r.CreatedAt, r.CompletedAt,
        [.. r.ExpectedServices.Select(service => r.Replies.SingleOrDefault(reply => reply.Service == service) is { } reply
            ? new GdprServiceStatus(service, true, reply.At,
                r.Type == GdprRequestTypes.Erasure ? JsonSerializer.Deserialize<Dictionary<string, int>>(reply.Content) : null)
            : new GdprServiceStatus(service, false, null, null))],
        [.. r.ExpectedServices.Where(service => r.Replies.All(reply => reply.Service != service))],
        r.Version);
}

/// <summary>
/// Data subject requests (GDPR Art. 15-21) at <c>/api/v1/gdpr/requests</c>: access and erasure are answered by every
/// expected service through the bus; restriction and objection (and their end) are recorded on the person and reach
/// the services in its events. Admins only: the export holds everything about a person.
/// </summary>
public static class GdprRequestsApi
{
    public const string ExportSchema = "https://crm-platform.example/schemas/personal-data-export";
    public const int ExportSchemaVersion = 1;
    private const string Resource = "GDPR request";

    public static RouteGroupBuilder MapGdprRequestsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/gdpr/requests").WithTags("GDPR");
        api.MapGet("/", ListRequests).Lists(ListFields).RequirePermission(Permissions.Gdpr, Operation.Read);
        api.MapGet("/{id:guid}", GetRequest).WithName("getGdprRequest").RequirePermission(Permissions.Gdpr, Operation.Read);
        api.MapGet("/{id:guid}/export", ExportRequest).RequirePermission(Permissions.Gdpr, Operation.Read)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/", CreateRequest).RequirePermission(Permissions.Gdpr, Operation.Create).ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static readonly ListFields<GdprRequest> ListFields = new ListFields<GdprRequest>()
        .Filter("personId", r => r.PersonId)
        .Filter("type", r => r.Type)
        .Filter("status", r => r.Status);

    public static async Task<Results<Created<GdprRequestResponse>, ValidationProblem, ProblemHttpResult>> CreateRequest(
        GdprRequestBody body, ContactsDbContext db, TimeProvider clock, IOptions<GdprOptions> options, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors()
            .When(body.PersonId is null || body.PersonId == Guid.Empty, "personId", "personId is required.")
            .When(body.Type is null || !GdprRequestTypes.All.Contains(body.Type), "type",
                $"type must be one of: {string.Join(", ", GdprRequestTypes.All)}.");
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var personId = body.PersonId!.Value;
        var type = body.Type!;
        var actor = db.CurrentActorId ?? "system";
        var now = clock.GetUtcNow().UtcDateTime;

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        GdprRequest? request;
        if (GdprRequestTypes.AskServices(type))
        {
            request = await GdprRequests.KnowsPersonAsync(db, personId, cancellationToken)
                ? GdprRequests.AskServices(db, personId, type, actor, options.Value.ExpectedServices)
                : null;
        }
        else
        {
            request = await GdprRequests.RecordOnPersonAsync(db, personId, type, actor, now, cancellationToken);
        }
        if (request is null)
        {
            return ApiProblems.NotFound("person", personId);
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/gdpr/requests/{request.Id}", GdprRequestResponse.From(request, now, options.Value.ResponseTimeout));
    }

    public static async Task<Results<Ok<CursorPage<GdprRequestResponse>>, ValidationProblem>> ListRequests(
        ContactsDbContext db, HttpRequest request, TimeProvider clock, IOptions<GdprOptions> options, CancellationToken cancellationToken)
    {
        if (!ListQuery<GdprRequest>.TryParse(request.Query, ListFields, out var list, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        return TypedResults.Ok(await list.ToPageAsync(db.Set<GdprRequest>().AsNoTracking().Include(r => r.Replies),
            r => GdprRequestResponse.From(r, now, options.Value.ResponseTimeout), cancellationToken));
    }

    public static async Task<Results<Ok<GdprRequestResponse>, ProblemHttpResult>> GetRequest(
        Guid id, ContactsDbContext db, TimeProvider clock, IOptions<GdprOptions> options, CancellationToken cancellationToken)
    {
        var request = await FindAsync(db, id, cancellationToken);
        return request is null
            ? ApiProblems.NotFound(Resource, id)
            : TypedResults.Ok(GdprRequestResponse.From(request, clock.GetUtcNow().UtcDateTime, options.Value.ResponseTimeout));
    }

    /// <summary>
    /// The access request's answer as one machine-readable document (Art. 20): a schema id and version, the request,
    /// and each service's data under its name. Only once every expected service has answered (409 before, naming
    /// those still missing).
    /// </summary>
    public static async Task<Results<Ok<JsonElement>, ProblemHttpResult>> ExportRequest(
        Guid id, ContactsDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var request = await FindAsync(db, id, cancellationToken);
        if (request is null || request.Type != GdprRequestTypes.Access)
        {
            return ApiProblems.NotFound("access request", id);
        }
        if (request.Status != GdprRequestStatuses.Completed)
        {
            var pending = request.ExpectedServices.Where(service => request.Replies.All(r => r.Service != service)).ToList();
            return ApiProblems.Conflict($"Not every service has answered yet; waiting for {string.Join(", ", pending)}.",
                new Dictionary<string, object?> { ["pendingServices"] = pending });
        }
        var document = new
        {
            Schema = ExportSchema,
            SchemaVersion = ExportSchemaVersion,
            RequestId = request.Id,
            request.PersonId,
            request.TenantId,
            RequestedAt = request.CreatedAt,
            request.CompletedAt,
            Services = request.Replies.OrderBy(r => Array.IndexOf(request.ExpectedServices, r.Service)).ToDictionary(
                r => r.Service, r => new { CollectedAt = r.At, Data = JsonDocument.Parse(r.Content).RootElement.Clone() }),
        };
        response.Headers.ContentDisposition = $"attachment; filename=\"personal-data-{request.PersonId}.json\"";
        return TypedResults.Ok(JsonSerializer.SerializeToElement(document, JsonSerializerOptions.Web));
    }

    private static Task<GdprRequest?> FindAsync(ContactsDbContext db, Guid id, CancellationToken cancellationToken) =>
        db.Set<GdprRequest>().AsNoTracking().Include(r => r.Replies).SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
}
