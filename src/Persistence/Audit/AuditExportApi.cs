using System.Globalization;
using System.Text;
using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Persistence.Audit;

/// <summary>
/// <c>GET /api/v1/audit/export?format=csv|json&amp;from=&amp;to=&amp;entity=</c>: the tenant's audit log, oldest first,
/// streamed row by row from the database (no page limit, no buffering of the whole log), for admins.
/// </summary>
public static class AuditExportApi
{
    public static RouteHandlerBuilder MapAuditExportApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/audit/export", ExportAuditEntries).WithTags("Audit").RequirePermission(AuditApi.Resource, Operation.Read);

    private static readonly string[] Formats = ["json", "csv"];
    private static readonly string[] CsvColumns = ["id", "occurredAt", "entityType", "entityId", "action", "actorId", "changes"];

    public static Results<Ok<IAsyncEnumerable<AuditEntryResponse>>, PushStreamHttpResult, ValidationProblem> ExportAuditEntries(
        TenantDbContext db, string? format, DateTime? from, DateTime? to, string? entity, HttpResponse response)
    {
        format = string.IsNullOrEmpty(format) ? "json" : format.ToLowerInvariant();
        var errors = new FieldErrors()
            .When(!Formats.Contains(format), "format", "format must be json or csv.")
            .When(from > to, "from", "from must not be after to.");
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var entries = db.Set<AuditEntry>().AsNoTracking();
        if (from is { } start)
        {
            var utc = start.ToUniversalTime();
            entries = entries.Where(e => e.CreatedAt >= utc);
        }
        if (to is { } end)
        {
            var utc = end.ToUniversalTime();
            entries = entries.Where(e => e.CreatedAt < utc);
        }
        if (!string.IsNullOrEmpty(entity))
        {
            entries = entries.Where(e => e.EntityType == entity);
        }
        var rows = entries.OrderBy(e => e.CreatedAt).ThenBy(e => e.Id).AsAsyncEnumerable();
        var fileName = $"audit-{DateTime.UtcNow:yyyyMMddTHHmmssZ}.{format}";
        if (format == "json")
        {
            response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
            return TypedResults.Ok(Select(rows));
        }
        return TypedResults.Stream(stream => WriteCsvAsync(rows, stream, response.HttpContext.RequestAborted), "text/csv; charset=utf-8", fileName);
    }

    private static async IAsyncEnumerable<AuditEntryResponse> Select(IAsyncEnumerable<AuditEntry> rows)
    {
        await foreach (var row in rows)
        {
            yield return AuditEntryResponse.From(row);
        }
    }

    private static async Task WriteCsvAsync(IAsyncEnumerable<AuditEntry> rows, Stream stream, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false), bufferSize: 16 * 1024);
        await writer.WriteLineAsync(string.Join(',', CsvColumns));
        await foreach (var e in rows.WithCancellation(cancellationToken))
        {
            await writer.WriteLineAsync(string.Join(',',
                e.Id.ToString(), e.CreatedAt.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
                Csv(e.EntityType), e.EntityId.ToString(), Csv(e.Action), Csv(e.ActorId),
                Csv(e.Changes)));
        }
    }

    /// <summary>RFC 4180 quoting; a leading formula character is prefixed so that spreadsheets show it as text.</summary>
    private static string Csv(string value)
    {
        if (value.Length > 0 && "=+-@".Contains(value[0]))
        {
            value = "'" + value;
        }
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"")}\"" : value;
    }
}
