using System.Security.Cryptography;
using CrmPlatform.Persistence.Imports;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.Sales.Data;
using CrmPlatform.ServiceDefaults;
using CsvHelper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Leads.Imports;

/// <summary>The mapping (file column to lead field) and the campaign every row came from; what is left out stays as it is.</summary>
public sealed record LeadImportSettingsRequest(IReadOnlyDictionary<string, string>? Mapping, Guid? CampaignId);

public sealed record LeadImportResponse(
    Guid Id, string FileName, string Format, long FileBytes, IReadOnlyList<string> Columns, IReadOnlyDictionary<string, string> Mapping,
    Guid? CampaignId, string Status, bool DryRun, int? TotalRows, int Created, int Existing, int Rejected, DateTime? FinishedAt,
    string? CreatedBy, DateTime CreatedAt, int Version)
{
    public static LeadImportResponse From(LeadImportJob j) => new(
        j.Id, j.FileName, j.Format.ToString().ToLowerInvariant(), j.FileBytes, j.Columns, j.Mapping.ToDictionary(m => m.Column, m => m.Field),
        j.CampaignId, j.Status.ToString().ToLowerInvariant(), j.DryRun, j.TotalRows, j.Created, j.Existing, j.Rejected, j.FinishedAt,
        j.CreatedBy, j.CreatedAt, j.Version);
}

/// <summary>
/// Importing leads from CSV or XLSX, shaped like Contacts' imports: <c>POST /api/v1/lead-imports</c> with the file as
/// the body (the mapping guessed from the header), optionally <c>PUT /{id}/mapping</c>, then <c>POST /{id}/dry-run</c>
/// and/or <c>POST /{id}/run</c>; the job at <c>GET /{id}</c>, its rejected rows at <c>GET /{id}/rejected</c> (CSV).
/// Each row's lead has source <c>import</c> and a source reference (the row's <c>sourceReference</c> column, or the
/// file's hash and the row number), so importing the same rows again creates nothing twice. A run is one request and
/// one transaction (<see cref="LeadImporter"/>). Jobs are the tenant's; a user limited to their own records sees their own jobs.
/// </summary>
public static class LeadImportsApi
{
    private const string Resource = "lead import";

    public static void MapLeadImportsApi(this IEndpointRouteBuilder app)
    {
        var limit = app.ServiceProvider.GetRequiredService<ImportFiles>().MaxFileBytes;
        var api = app.MapGroup("/api/v1/lead-imports").WithTags("Leads").RequirePermission(Permissions.Leads, Operation.Create);
        // The file is the body: this endpoint's own size limit replaces the 1 MiB every other request has.
        api.MapPost("/", CreateImport).WithMetadata(new RequestSizeLimitAttribute(limit)).DisableAntiforgery();
        api.MapGet("/", ListImports);
        api.MapGet("/{id:guid}", GetImport).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPut("/{id:guid}/mapping", UpdateSettings).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/{id:guid}/dry-run", (Guid id, SalesDbContext db, LeadImporter importer, CancellationToken ct) =>
            RunAsync(id, dryRun: true, db, importer, ct)).WithName("dryRunImport").ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/{id:guid}/run", (Guid id, SalesDbContext db, LeadImporter importer, CancellationToken ct) =>
            RunAsync(id, dryRun: false, db, importer, ct)).WithName("runImport").ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/{id:guid}/rejected", GetRejectedRows).Produces<string>(StatusCodes.Status200OK, "text/csv")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static IQueryable<LeadImportJob> VisibleJobs(SalesDbContext db) =>
        db.SeesWholeTenant ? db.LeadImportJobs : db.LeadImportJobs.Where(j => j.CreatedBy == db.CurrentActorId);

    public static async Task<Results<Created<LeadImportResponse>, ValidationProblem, ProblemHttpResult>> CreateImport(
        HttpRequest request, string? fileName, string? format, SalesDbContext db, ImportFiles files, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        fileName = string.IsNullOrWhiteSpace(fileName) ? "upload" : Path.GetFileName(fileName.Trim());
        errors.MaxLength("fileName", fileName, LeadImportJob.FileNameMaxLength);
        var fileFormat = format?.Trim().ToLowerInvariant() switch
        {
            null => ImportFiles.FormatOf(fileName, request.ContentType),
            "csv" => ImportFormat.Csv,
            "xlsx" => ImportFormat.Xlsx,
            _ => null,
        };
        errors.When(fileFormat is null, "format", "format must be csv or xlsx (or the file name must end in .csv or .xlsx).");
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var job = new LeadImportJob { FileName = fileName, Format = fileFormat!.Value, CreatedBy = db.CurrentActorId };
        if (await files.SaveAsync(job.Id, request.Body, cancellationToken) is not { } bytes)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large",
                detail: $"Import files are limited to {files.MaxFileBytes} bytes.");
        }
        job.FileBytes = bytes;
        var (columns, unreadable) = files.ReadColumns(job.Id, job.Format);
        if (unreadable is not null)
        {
            files.Delete(job.Id);
            return TypedResults.ValidationProblem(new FieldErrors().Add("file", unreadable));
        }
        await using (var file = File.OpenRead(files.PathOf(job.Id)))
        {
            job.FileHash = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken))[..16];
        }
        job.Columns = columns;
        job.Mapping = LeadImportFields.Guess(columns);
        db.LeadImportJobs.Add(job);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/lead-imports/{job.Id}", LeadImportResponse.From(job));
    }

    public static async Task<Results<Ok<CursorPage<LeadImportResponse>>, ValidationProblem>> ListImports(
        int? limit, string? cursor, SalesDbContext db, CancellationToken cancellationToken)
    {
        if (!ListQuery<LeadImportJob>.TryParse(limit, cursor, out var list, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await list.ToPageAsync(VisibleJobs(db).AsNoTracking(), LeadImportResponse.From, cancellationToken));
    }

    public static async Task<Results<Ok<LeadImportResponse>, ProblemHttpResult>> GetImport(
        Guid id, SalesDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        if (await VisibleJobs(db).AsNoTracking().SingleOrDefaultAsync(j => j.Id == id, cancellationToken) is not { } job)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, job.Version);
        return TypedResults.Ok(LeadImportResponse.From(job));
    }

    public static async Task<Results<Ok<LeadImportResponse>, ValidationProblem, ProblemHttpResult>> UpdateSettings(
        Guid id, LeadImportSettingsRequest request, SalesDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        if (await VisibleJobs(db).SingleOrDefaultAsync(j => j.Id == id, cancellationToken) is not { } job)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, job.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (job.Status != LeadImportStatus.Uploaded)
        {
            return ApiProblems.Conflict("The import has run; its mapping can only change before.");
        }
        var errors = new FieldErrors().When(request.CampaignId == Guid.Empty, "campaignId", "campaignId is not a campaign id.");
        foreach (var (column, field) in request.Mapping ?? new Dictionary<string, string>())
        {
            errors.When(!job.Columns.Contains(column), $"mapping.{column}", $"The file has no column '{column}'.")
                .When(!LeadImportFields.All.Contains(field), $"mapping.{column}",
                    $"'{field}' is not a lead field; map to one of {string.Join(", ", LeadImportFields.All)}.");
        }
        foreach (var field in (request.Mapping?.Values ?? []).GroupBy(f => f).Where(g => g.Count() > 1))
        {
            errors.Add("mapping", $"More than one column is mapped to {field.Key}.");
        }
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (request.Mapping is not null)
        {
            job.Mapping = [.. request.Mapping.Select(m => new ColumnMapping(m.Key, m.Value))];
        }
        job.CampaignId = request.CampaignId ?? job.CampaignId;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, id);
        }
        ETags.Set(http.Response, job.Version);
        return TypedResults.Ok(LeadImportResponse.From(job));
    }

    /// <summary>What a run needs that an upload may still lack (the mapping can come in a second step).</summary>
    private static FieldErrors MissingFields(LeadImportJob job)
    {
        var mapped = job.Mapping.Select(m => m.Field).ToHashSet();
        return new FieldErrors()
            .When(!mapped.Contains("lastName"), "mapping", "Map a column to lastName.")
            .When(!mapped.Contains("email") && !mapped.Contains("phone"), "mapping", "Map a column to email or to phone.");
    }

    private static async Task<Results<Ok<LeadImportResponse>, ProblemHttpResult>> RunAsync(
        Guid id, bool dryRun, SalesDbContext db, LeadImporter importer, CancellationToken cancellationToken)
    {
        if (await VisibleJobs(db).SingleOrDefaultAsync(j => j.Id == id, cancellationToken) is not { } job)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (job.Status != LeadImportStatus.Uploaded)
        {
            return ApiProblems.Conflict("The import has run; it runs once, after any number of dry runs.");
        }
        if (MissingFields(job) is { IsValid: false } missing)
        {
            return ApiProblems.Unprocessable("The mapping does not give every field a lead needs; set it with PUT mapping.", missing);
        }
        try
        {
            if (await importer.RunAsync(job, dryRun, cancellationToken) is { } refused)
            {
                return ApiProblems.Unprocessable(refused, new Dictionary<string, string[]> { ["file"] = [refused] });
            }
        }
        catch (DbUpdateException ex) when (ex is DbUpdateConcurrencyException || ex.InnerException is Npgsql.PostgresException { SqlState: "23505" })
        {
            // Another run of this job (or of the same rows) committed first.
            return ApiProblems.Conflict("Another run of this import, or of the same rows, finished first; read the import again.");
        }
        return TypedResults.Ok(LeadImportResponse.From(job));
    }

    /// <summary>The rejected rows of the last run as CSV: row number, reason, then the file's own columns; streamed.</summary>
    public static async Task<Results<EmptyHttpResult, ProblemHttpResult>> GetRejectedRows(
        Guid id, SalesDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        if (await VisibleJobs(db).AsNoTracking().SingleOrDefaultAsync(j => j.Id == id, cancellationToken) is not { } job)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        response.ContentType = "text/csv; charset=utf-8";
        response.Headers.ContentDisposition = $"attachment; filename=\"rejected-{job.Id:N}.csv\"";
        await using var writer = new StreamWriter(response.Body, new System.Text.UTF8Encoding(false), 65536);
        await using var csv = new CsvWriter(writer, System.Globalization.CultureInfo.InvariantCulture);
        foreach (var header in new[] { "row", "reason" }.Concat(job.Columns))
        {
            csv.WriteField(header);
        }
        await csv.NextRecordAsync();
        var rows = db.LeadImportRows.AsNoTracking().Where(r => r.JobId == id && r.Outcome == LeadImportOutcome.Rejected).OrderBy(r => r.RowNumber)
            .AsAsyncEnumerable();
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            csv.WriteField(row.RowNumber);
            csv.WriteField(row.Reason);
            foreach (var value in row.Values ?? [])
            {
                csv.WriteField(value);
            }
            await csv.NextRecordAsync();
        }
        await csv.FlushAsync();
        return TypedResults.Empty;
    }
}
