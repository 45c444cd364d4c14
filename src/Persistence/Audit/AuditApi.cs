using System.Text.Json;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Persistence.Audit;

public sealed record AuditEntryResponse(
    Guid Id, string EntityType, Guid EntityId, string Action, string ActorId, DateTime OccurredAt, JsonElement Changes)
{
    public static AuditEntryResponse From(AuditEntry entry) => new(
        entry.Id, entry.EntityType, entry.EntityId, entry.Action, entry.ActorId, entry.CreatedAt,
        JsonDocument.Parse(entry.Changes).RootElement.Clone());
}

/// <summary><c>GET /api/v1/audit?entityType=&amp;entityId=</c>: a service's audit log, oldest first, for admins.</summary>
public static class AuditApi
{
    public const string Resource = "audit";

    /// <summary>The audit log as pages (<c>/api/v1/audit</c>) and as one streamed export (<see cref="AuditExportApi"/>).</summary>
    public static RouteHandlerBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        app.MapAuditExportApi();
        return app.MapGet("/api/v1/audit", ListAuditEntries).WithTags("Audit").RequirePermission(Resource, Operation.Read);
    }

    public static async Task<Results<Ok<CursorPage<AuditEntryResponse>>, ValidationProblem>> ListAuditEntries(
        TenantDbContext db, string? entityType, Guid? entityId, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!PageRequest.TryParse(limit, cursor, out var page, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }

        var entries = db.Set<AuditEntry>().AsNoTracking();
        if (!string.IsNullOrEmpty(entityType))
        {
            entries = entries.Where(e => e.EntityType == entityType);
        }
        if (entityId is { } id)
        {
            entries = entries.Where(e => e.EntityId == id);
        }
        return TypedResults.Ok(await entries.ToCursorPageAsync(page, AuditEntryResponse.From, cancellationToken));
    }
}
