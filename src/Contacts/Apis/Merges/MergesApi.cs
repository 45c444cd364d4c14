using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Merging;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Persistence;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CrmPlatform.Contacts.Apis;

/// <summary>
/// Merging duplicates: <c>POST /people/merge</c> and <c>/organizations/merge</c> (the delete permission: a merge
/// removes records), <c>GET /merges/{id}</c>, and <c>POST /merges/{id}/undo</c> within the undo window.
/// </summary>
public static class MergesApi
{
    public static void MapMergesApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/people/merge", MergePeople).WithTags("Merges").RequirePermission(Permissions.People, Operation.Delete)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        app.MapPost("/api/v1/organizations/merge", MergeOrganizations).WithTags("Merges").RequirePermission(Permissions.Organizations, Operation.Delete)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        var merges = app.MapGroup("/api/v1/merges").WithTags("Merges");
        merges.MapGet("/{id:guid}", GetMerge).RequirePermission(Permissions.Merges, Operation.Read);
        merges.MapPost("/{id:guid}/undo", UndoMerge).RequirePermission(Permissions.Merges, Operation.Create)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status410Gone);
    }

    public static Task<Results<Created<MergeResponse>, ValidationProblem, ProblemHttpResult>> MergePeople(
        MergeRequest request, ContactsDbContext db, HttpRequest http, TimeProvider clock, IOptions<MergeOptions> options, CancellationToken cancellationToken) =>
        MergeAsync(request, RecordMergeFields.Person, db, options.Value, cancellationToken,
            now => PeopleMerge.RunAsync(db, request, http, now, cancellationToken), clock);

    public static Task<Results<Created<MergeResponse>, ValidationProblem, ProblemHttpResult>> MergeOrganizations(
        MergeRequest request, ContactsDbContext db, HttpRequest http, TimeProvider clock, IOptions<MergeOptions> options, CancellationToken cancellationToken) =>
        MergeAsync(request, RecordMergeFields.Organization, db, options.Value, cancellationToken,
            now => OrganizationsMerge.RunAsync(db, request, http, now, cancellationToken), clock);

    private static async Task<Results<Created<MergeResponse>, ValidationProblem, ProblemHttpResult>> MergeAsync<TRecord>(
        MergeRequest request, MergeFields<TRecord> fields, ContactsDbContext db, MergeOptions options, CancellationToken cancellationToken,
        Func<DateTime, Task<(MergeRecord? Merge, ProblemHttpResult? Problem)>> merge, TimeProvider clock)
        where TRecord : CustomerRecord
    {
        if (request.Validate(fields) is { IsValid: false } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            var (done, problem) = await merge(clock.GetUtcNow().UtcDateTime);
            if (problem is not null)
            {
                return problem;
            }
            await transaction.CommitAsync(cancellationToken);
            return TypedResults.Created($"/api/v1/merges/{done!.Id}", MergeResponse.From(done, options.UndoWindow));
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate("record", request.SurvivorId);
        }
    }

    public static async Task<Results<Ok<MergeResponse>, ProblemHttpResult>> GetMerge(
        Guid id, ContactsDbContext db, IOptions<MergeOptions> options, CancellationToken cancellationToken)
    {
        var merge = await db.Merges.AsNoTracking().SingleOrDefaultAsync(m => m.Id == id, cancellationToken);
        if (merge is null || !await SurvivorVisibleAsync(db, merge, cancellationToken))
        {
            return ApiProblems.NotFound("merge", id);
        }
        return TypedResults.Ok(MergeResponse.From(merge, options.Value.UndoWindow));
    }

    /// <summary>
    /// 409 when already undone or when the survivor changed since; 410 after the undo window (the archive is kept as
    /// the log of what happened, but the platform no longer promises that restoring it is safe).
    /// </summary>
    public static async Task<Results<Ok<MergeResponse>, ProblemHttpResult>> UndoMerge(
        Guid id, ContactsDbContext db, TimeProvider clock, IOptions<MergeOptions> options, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var merge = await db.Merges.FromSql($"SELECT * FROM merges WHERE id = {id} FOR UPDATE").SingleOrDefaultAsync(cancellationToken);
        if (merge is null || !await SurvivorVisibleAsync(db, merge, cancellationToken))
        {
            return ApiProblems.NotFound("merge", id);
        }
        if (merge.UndoneAt is { } undoneAt)
        {
            return ApiProblems.Conflict($"This merge was undone at {undoneAt:O}.");
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var window = options.Value.UndoWindow;
        if (now > merge.CreatedAt + window)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "Undo window closed",
                detail: $"A merge can be undone for {window.TotalDays:0.##} days; this one was made at {merge.CreatedAt:O}.",
                extensions: new Dictionary<string, object?> { ["undoUntil"] = merge.CreatedAt + window });
        }
        try
        {
            if (await MergeUndo.RunAsync(db, merge, now, cancellationToken) is { } problem)
            {
                return problem;
            }
            await transaction.CommitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } || (ex is DbUpdateException update && update.IsUniqueViolation()))
        {
            return ApiProblems.Conflict("An email address of a merged record belongs to another person now; free it before undoing.");
        }
        return TypedResults.Ok(MergeResponse.From(merge, window));
    }

    private static Task<bool> SurvivorVisibleAsync(ContactsDbContext db, MergeRecord merge, CancellationToken cancellationToken) =>
        merge.Kind == MergeKinds.Person
            ? db.People.AnyAsync(p => p.Id == merge.SurvivorId, cancellationToken)
            : db.Organizations.AnyAsync(o => o.Id == merge.SurvivorId, cancellationToken);
}
