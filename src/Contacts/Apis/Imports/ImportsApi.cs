using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Imports;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Contacts.Settings;
using CrmPlatform.Persistence.Imports;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.ServiceDefaults;
using CsvHelper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Apis;

/// <summary>
/// Importing people from CSV or XLSX as a job: <c>POST /api/v1/imports</c> with the file as the body (streamed to
/// disk; a CSV file's encoding and delimiter are detected), optionally <c>PUT /{id}/mapping</c> and
/// <c>GET /{id}/preview</c>, then <c>POST /{id}/dry-run</c> and/or <c>POST /{id}/run</c>; progress at
/// <c>GET /{id}</c>, rejected rows at <c>GET /{id}/rejected</c> (CSV), <c>POST /{id}/revert</c> and <c>/cancel</c>.
/// Jobs are the tenant's; a user limited to their own records sees their own jobs only.
/// </summary>
public static class ImportsApi
{
    private const string Resource = "import";

    public static void MapImportsApi(this IEndpointRouteBuilder app)
    {
        var limit = app.ServiceProvider.GetRequiredService<ImportFiles>().MaxFileBytes;
        var api = app.MapGroup("/api/v1/imports").WithTags("Imports")
            .RequirePermission(Permissions.People, Operation.Create).RequirePermission(Permissions.People, Operation.Update);
        // The file is the body: this endpoint's own size limit replaces the 1 MiB every other request has.
        api.MapPost("/", CreateImport).WithMetadata(new RequestSizeLimitAttribute(limit)).DisableAntiforgery();
        api.MapGet("/", ListImports);
        api.MapGet("/{id:guid}", GetImport);
        api.MapPut("/{id:guid}/mapping", UpdateSettings);
        api.MapGet("/{id:guid}/preview", PreviewImport);
        api.MapPost("/{id:guid}/dry-run", (Guid id, ContactsDbContext db, ImportSignal signal, TimeProvider clock, CancellationToken ct) =>
            StartAsync(id, dryRun: true, db, signal, clock, ct)).WithName("dryRunImport");
        api.MapPost("/{id:guid}/run", (Guid id, ContactsDbContext db, ImportSignal signal, TimeProvider clock, CancellationToken ct) =>
            StartAsync(id, dryRun: false, db, signal, clock, ct)).WithName("runImport");
        api.MapGet("/{id:guid}/rejected", (Guid id, ContactsDbContext db, HttpResponse response, CancellationToken ct) =>
            GetReportRows(id, ImportOutcome.Rejected, db, response, ct)).WithName("getRejectedRows").Produces<string>(StatusCodes.Status200OK, "text/csv");
        api.MapGet("/{id:guid}/duplicates", (Guid id, ContactsDbContext db, HttpResponse response, CancellationToken ct) =>
            GetReportRows(id, ImportOutcome.Duplicate, db, response, ct)).WithName("getDuplicateRows").Produces<string>(StatusCodes.Status200OK, "text/csv");
        api.MapPost("/{id:guid}/revert", RevertImport).RequirePermission(Permissions.People, Operation.Delete);
        api.MapPost("/{id:guid}/cancel", CancelImport);
    }

    private static IQueryable<ImportJob> VisibleJobs(ContactsDbContext db) =>
        db.SeesWholeTenant ? db.ImportJobs : db.ImportJobs.Where(j => j.CreatedBy == db.CurrentActorId);

    public static async Task<Results<Created<ImportResponse>, ValidationProblem, ProblemHttpResult>> CreateImport(
        HttpRequest request, string? fileName, string? format, string? mode, string? matchBy, string? externalIdSource, string? defaultCountry,
        ContactsDbContext db, ImportFiles files, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        fileName = string.IsNullOrWhiteSpace(fileName) ? "upload" : Path.GetFileName(fileName.Trim());
        errors.MaxLength("fileName", fileName, ImportJob.FileNameMaxLength);
        var fileFormat = format is null ? ImportFiles.FormatOf(fileName, request.ContentType) : ContactDetailsInput.Kind<ImportFormat>(errors, "format", format);
        if (fileFormat is null && errors.IsValid)
        {
            errors.Add("format", "format must be csv or xlsx (or the file name must end in .csv or .xlsx).");
        }
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var job = new ImportJob
        {
            FileName = fileName, Format = fileFormat!.Value, Status = ImportStatus.Uploaded,
            CreatedBy = db.CurrentActorId, CreatorSeesWholeTenant = db.SeesWholeTenant,
        };
        if (await files.SaveAsync(job.Id, request.Body, cancellationToken) is not { } bytes)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large",
                detail: $"Import files are limited to {files.MaxFileBytes} bytes.");
        }
        job.FileBytes = bytes;
        if (job.Format == ImportFormat.Csv)
        {
            var dialect = files.DetectCsv(job.Id);
            (job.Encoding, job.Delimiter) = (dialect.Encoding, dialect.Delimiter.ToString());
        }
        var (columns, unreadable) = files.ReadColumns(job.Id, job.Format, job.Dialect);
        if (unreadable is not null)
        {
            files.Delete(job.Id);
            return TypedResults.ValidationProblem(new FieldErrors().Add("file", unreadable));
        }
        job.Columns = columns;
        var customFields = await db.CustomFieldsOfAsync(CustomFieldEntity.Person, cancellationToken);
        if (ReadSettings(job, new ImportSettingsRequest(null, mode, matchBy, externalIdSource, defaultCountry), customFields) is { IsValid: false } settingErrors)
        {
            files.Delete(job.Id);
            return TypedResults.ValidationProblem(settingErrors);
        }
        db.ImportJobs.Add(job);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/imports/{job.Id}", ImportResponse.From(job, clock.GetUtcNow().UtcDateTime));
    }

    /// <summary>Applies what the request gives (guessing the mapping from the header when none is given yet) and checks the whole.</summary>
    private static FieldErrors ReadSettings(ImportJob job, ImportSettingsRequest request, IReadOnlyCollection<CustomFieldDefinition> customFields)
    {
        var errors = new FieldErrors();
        job.Mode = ContactDetailsInput.Kind<ImportMode>(errors, "mode", request.Mode, job.Mode) ?? job.Mode;
        job.MatchBy = ContactDetailsInput.Kind<ImportMatch>(errors, "matchBy", request.MatchBy, job.MatchBy) ?? job.MatchBy;
        if (request.ExternalIdSource is { } source)
        {
            job.ExternalIdSource = source.Trim().ToLowerInvariant();
            errors.When(!ExternalIds.SourcePattern().IsMatch(job.ExternalIdSource), "externalIdSource",
                "externalIdSource is 1 to 50 lower-case letters, digits, '.', '_' or '-' (salesforce, erp-eu).");
        }
        if (request.DefaultCountry is { } country)
        {
            string? code = null;
            errors.When(country.Length > 0 && !Countries.TryNormalize(country, out code), "defaultCountry",
                "defaultCountry must be an ISO 3166-1 alpha-2 code (DE, GB, US), or empty for the tenant's.");
            job.DefaultCountry = code;
        }
        job.Mapping = request.Mapping ?? (job.Mapping.Count > 0 ? job.Mapping : ImportFields.Guess(job.Columns, customFields));

        var keys = customFields.Select(f => f.Key).ToHashSet();
        foreach (var (column, field) in job.Mapping)
        {
            var customKey = ImportFields.IsKnown(field) && field.StartsWith(ImportFields.CustomPrefix, StringComparison.Ordinal)
                ? field[ImportFields.CustomPrefix.Length..] : null;
            errors.When(!job.Columns.Contains(column), $"mapping.{column}", $"The file has no column '{column}'.")
                .When(!ImportFields.IsKnown(field), $"mapping.{column}",
                    $"'{field}' is not a person field; map to one of {string.Join(", ", ImportFields.All)} or custom.{{key}}.")
                .When(customKey is not null && !keys.Contains(customKey), $"mapping.{column}", $"There is no custom field '{customKey}' for people.");
        }
        foreach (var field in job.Mapping.Values.GroupBy(f => f).Where(g => g.Count() > 1))
        {
            errors.Add("mapping", $"More than one column is mapped to {field.Key}.");
        }
        return errors.When((job.MatchBy == ImportMatch.ExternalId || job.Mapping.ContainsValue(ImportFields.ExternalId)) && job.ExternalIdSource is null,
            "externalIdSource", "Matching by or importing external ids needs externalIdSource (the system the ids come from).");
    }

    /// <summary>What a run needs that an upload may still lack (the mapping can come in a second step).</summary>
    private static FieldErrors MissingFields(ImportJob job)
    {
        var mapped = job.Mapping.Values.ToHashSet();
        return new FieldErrors()
            .When((!mapped.Contains("firstName") || !mapped.Contains("lastName")) && !mapped.Contains(ImportFields.FullName), "mapping",
                "Map a column to firstName and one to lastName, or one to fullName.")
            .When(!mapped.Contains("email") && !mapped.Contains("emails"), "mapping", "Map a column to email (or emails).")
            .When(job.MatchBy == ImportMatch.ExternalId && !mapped.Contains(ImportFields.ExternalId), "mapping",
                "Matching by external id needs a column mapped to externalId.");
    }

    public static async Task<Results<Ok<CursorPage<ImportResponse>>, ValidationProblem>> ListImports(
        int? limit, string? cursor, ContactsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!ListQuery<ImportJob>.TryParse(limit, cursor, out var list, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        var now = clock.GetUtcNow().UtcDateTime;
        return TypedResults.Ok(await list.ToPageAsync(VisibleJobs(db).AsNoTracking(), job => ImportResponse.From(job, now), cancellationToken));
    }

    public static async Task<Results<Ok<ImportResponse>, ProblemHttpResult>> GetImport(
        Guid id, ContactsDbContext db, TimeProvider clock, HttpResponse response, CancellationToken cancellationToken)
    {
        if (await VisibleJobs(db).AsNoTracking().SingleOrDefaultAsync(j => j.Id == id, cancellationToken) is not { } job)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, job.Version);
        return TypedResults.Ok(ImportResponse.From(job, clock.GetUtcNow().UtcDateTime));
    }

    public static async Task<Results<Ok<ImportResponse>, ValidationProblem, ProblemHttpResult>> UpdateSettings(
        Guid id, ImportSettingsRequest request, ContactsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await VisibleJobs(db).SingleOrDefaultAsync(j => j.Id == id, cancellationToken) is not { } job)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (!IsStartable(job))
        {
            return ApiProblems.Conflict($"The import is {KindNames.Of(job.Status)}; its mapping can only change before it runs.");
        }
        if (ReadSettings(job, request, await db.CustomFieldsOfAsync(CustomFieldEntity.Person, cancellationToken)) is { IsValid: false } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }
        return await SaveAsync(db, job, clock, cancellationToken) ?? (Results<Ok<ImportResponse>, ValidationProblem, ProblemHttpResult>)TypedResults.Ok(ImportResponse.From(job, clock.GetUtcNow().UtcDateTime));
    }

    public const int PreviewRows = 10;
    public const int MaxPreviewRows = 100;

    /// <summary>
    /// The first <paramref name="rows"/> rows (10 by default, at most 100) as the current mapping would store them,
    /// with the default country a run would apply now; nothing is written. Available while the file is (until a run).
    /// </summary>
    public static async Task<Results<Ok<ImportPreview>, ValidationProblem, ProblemHttpResult>> PreviewImport(
        Guid id, int? rows, ContactsDbContext db, ImportFiles files, CancellationToken cancellationToken)
    {
        if (rows is < 1 or > MaxPreviewRows)
        {
            return TypedResults.ValidationProblem(new FieldErrors().Add("rows", $"rows must be between 1 and {MaxPreviewRows}."));
        }
        if (await VisibleJobs(db).AsNoTracking().SingleOrDefaultAsync(j => j.Id == id, cancellationToken) is not { } job)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (!IsStartable(job))
        {
            return ApiProblems.Conflict($"The import is {KindNames.Of(job.Status)}; a preview shows a file before it runs.");
        }
        var customFields = await db.CustomFieldsOfAsync(CustomFieldEntity.Person, cancellationToken);
        var defaultCountry = job.DefaultCountry ?? await ContactSettings.DefaultCountryAsync(db, cancellationToken);
        var preview = files.Read(job.Id, job.Format, job.Dialect).Take(rows ?? PreviewRows).Select(record =>
        {
            var (values, problems, _) = PersonImporter.Interpret(job, record, customFields, defaultCountry);
            return new ImportPreviewRow(record.RowNumber, record.Values, values is null ? null : PersonPreview.From(values), problems);
        }).ToList();
        return TypedResults.Ok(new ImportPreview(job.Encoding, job.Delimiter, job.Mapping, defaultCountry, preview));
    }

    /// <summary>Before any run, or after a dry run: never once a real run started.</summary>
    private static bool IsStartable(ImportJob job) =>
        job.Status == ImportStatus.Uploaded || (job.DryRun && job.Status is ImportStatus.Completed or ImportStatus.Failed or ImportStatus.Cancelled);

    private static async Task<Results<Accepted<ImportResponse>, ProblemHttpResult>> StartAsync(
        Guid id, bool dryRun, ContactsDbContext db, ImportSignal signal, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await VisibleJobs(db).SingleOrDefaultAsync(j => j.Id == id, cancellationToken) is not { } job)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (!IsStartable(job))
        {
            return ApiProblems.Conflict($"The import is {KindNames.Of(job.Status)}{(job.DryRun ? " (dry run)" : "")}; it can run once, after any number of dry runs.");
        }
        if (MissingFields(job) is { IsValid: false } missing)
        {
            return ApiProblems.Unprocessable("The mapping does not give every field a person needs; set it with PUT mapping.", missing);
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // The report of an earlier dry run gives way to this run's.
        await db.ImportRows.Where(r => r.JobId == job.Id).ExecuteDeleteAsync(cancellationToken);
        job.ResetCounters();
        (job.Status, job.DryRun) = (ImportStatus.Queued, dryRun);
        if (await SaveAsync(db, job, clock, cancellationToken) is { } problem)
        {
            return problem;
        }
        await transaction.CommitAsync(cancellationToken);
        signal.Notify();
        return TypedResults.Accepted($"/api/v1/imports/{job.Id}", ImportResponse.From(job, clock.GetUtcNow().UtcDateTime));
    }

    public static async Task<Results<Accepted<ImportResponse>, ProblemHttpResult>> CancelImport(
        Guid id, ContactsDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await VisibleJobs(db).SingleOrDefaultAsync(j => j.Id == id, cancellationToken) is not { } job)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        // One statement, so it wins against the worker's next save (which then fails on the version and rolls its batch back).
        var now = clock.GetUtcNow().UtcDateTime;
        var cancelled = await db.ImportJobs.Where(j => j.Id == id && (j.Status == ImportStatus.Queued || j.Status == ImportStatus.Running))
            .ExecuteUpdateAsync(set => set.SetProperty(j => j.Status, ImportStatus.Cancelled).SetProperty(j => j.FinishedAt, now)
                .SetProperty(j => j.Version, j => j.Version + 1), cancellationToken);
        if (cancelled == 0)
        {
            return ApiProblems.Conflict($"The import is {KindNames.Of(job.Status)}; only a queued or running import can be cancelled.");
        }
        // Batches already committed stay; revert undoes them.
        await db.Entry(job).ReloadAsync(cancellationToken);
        return TypedResults.Accepted($"/api/v1/imports/{job.Id}", ImportResponse.From(job, now));
    }

    /// <summary>
    /// 409 while a person the import wrote was changed since (naming the first of them): reverting would throw that
    /// change away. Otherwise queued; a person changed while the revert runs is left as it is and counted as skipped.
    /// </summary>
    public static async Task<Results<Accepted<ImportResponse>, ProblemHttpResult>> RevertImport(
        Guid id, ContactsDbContext db, ImportSignal signal, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await VisibleJobs(db).SingleOrDefaultAsync(j => j.Id == id, cancellationToken) is not { } job)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (job.DryRun || job.Status is not (ImportStatus.Completed or ImportStatus.Cancelled or ImportStatus.Failed))
        {
            return ApiProblems.Conflict(job.DryRun
                ? "A dry run wrote nothing, so there is nothing to revert."
                : $"The import is {KindNames.Of(job.Status)}; only a finished import can be reverted.");
        }
        var (changed, count) = await ImportRevert.ChangedSinceAsync(db, job.Id, max: 100, cancellationToken);
        if (count > 0)
        {
            return ApiProblems.Conflict(
                $"{count} people this import wrote were changed or deleted since; reverting would undo those changes.",
                new Dictionary<string, object?> { ["changedCount"] = count, ["changedPeople"] = changed });
        }
        job.Status = ImportStatus.RevertQueued;
        job.FinishedAt = null;
        if (await SaveAsync(db, job, clock, cancellationToken) is { } problem)
        {
            return problem;
        }
        signal.Notify();
        return TypedResults.Accepted($"/api/v1/imports/{job.Id}", ImportResponse.From(job, clock.GetUtcNow().UtcDateTime));
    }

    /// <summary>The worker saved the job meanwhile (it is versioned): a 409 to read it again rather than a lost update.</summary>
    private static async Task<ProblemHttpResult?> SaveAsync(ContactsDbContext db, ImportJob job, TimeProvider clock, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, job.Id);
        }
    }

    /// <summary>The rejected (or duplicate) rows of the current run as CSV: row number, reason, then the file's own columns; streamed.</summary>
    public static async Task<Results<EmptyHttpResult, ProblemHttpResult>> GetReportRows(
        Guid id, ImportOutcome outcome, ContactsDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        if (await VisibleJobs(db).AsNoTracking().SingleOrDefaultAsync(j => j.Id == id, cancellationToken) is not { } job)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        response.ContentType = "text/csv; charset=utf-8";
        response.Headers.ContentDisposition = $"attachment; filename=\"{(outcome == ImportOutcome.Rejected ? "rejected" : "duplicates")}-{job.Id:N}.csv\"";
        await using var writer = new StreamWriter(response.Body, new System.Text.UTF8Encoding(false), 65536);
        await using var csv = new CsvWriter(writer, System.Globalization.CultureInfo.InvariantCulture);
        foreach (var header in new[] { "row", "reason" }.Concat(job.Columns))
        {
            csv.WriteField(header);
        }
        await csv.NextRecordAsync();
        var rows = db.ImportRows.AsNoTracking().Where(r => r.JobId == id && r.Outcome == outcome).OrderBy(r => r.RowNumber)
            .Select(r => new { r.RowNumber, r.Reason, r.Values }).AsAsyncEnumerable();
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            csv.WriteField(row.RowNumber);
            csv.WriteField(row.Reason);
            foreach (var column in job.Columns)
            {
                csv.WriteField(row.Values?.GetValueOrDefault(column));
            }
            await csv.NextRecordAsync();
        }
        await csv.FlushAsync();
        return TypedResults.Empty;
    }
}
