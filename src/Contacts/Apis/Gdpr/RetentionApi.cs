using System.Text.Json;
using CrmPlatform.Contacts.Data;
using CrmPlatform.Contacts.Gdpr;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Apis.Gdpr;

public sealed record RetentionPolicyBody(int? AnonymizeInactiveAfterMonths);

public sealed record RetentionPolicyResponse(int? AnonymizeInactiveAfterMonths, DateTime? UpdatedAt, string? UpdatedBy, int Version);

public sealed record RetentionRunResponse(
    Guid Id, DateTime RanAt, string TriggeredBy, int InactiveAfterMonths, DateTime Cutoff, int AnonymizedCount, JsonElement Anonymized)
{
    public static RetentionRunResponse From(RetentionRun r) => new(
        r.Id, r.CreatedAt, r.TriggeredBy, r.InactiveAfterMonths, r.Cutoff, r.AnonymizedCount, JsonDocument.Parse(r.Anonymized).RootElement.Clone());
}

/// <summary>
/// A tenant's retention policy (<c>/api/v1/gdpr/retention-policy</c>), running it now, and the log of its runs
/// (<c>/api/v1/gdpr/retention-runs</c>). Admins only.
/// </summary>
public static class RetentionApi
{
    public static RouteGroupBuilder MapRetentionApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/gdpr").WithTags("GDPR");
        api.MapGet("/retention-policy", GetPolicy).RequirePermission(Permissions.RetentionPolicy, Operation.Read);
        api.MapPut("/retention-policy", PutPolicy).RequirePermission(Permissions.RetentionPolicy, Operation.Update);
        api.MapPost("/retention-policy/run", RunPolicy).RequirePermission(Permissions.RetentionPolicy, Operation.Create)
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/retention-runs", ListRuns).RequirePermission(Permissions.RetentionPolicy, Operation.Read);
        return api;
    }

    public static async Task<Ok<RetentionPolicyResponse>> GetPolicy(ContactsDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var policy = await db.Set<RetentionPolicy>().AsNoTracking().SingleOrDefaultAsync(cancellationToken);
        ETags.Set(response, policy?.Version ?? 0);
        return TypedResults.Ok(policy is null
            ? new RetentionPolicyResponse(null, null, null, 0)
            : new RetentionPolicyResponse(policy.AnonymizeInactiveAfterMonths, policy.UpdatedAt, policy.UpdatedBy, policy.Version));
    }

    public static async Task<Results<Ok<RetentionPolicyResponse>, ValidationProblem, ProblemHttpResult>> PutPolicy(
        RetentionPolicyBody body, ContactsDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().When(body.AnonymizeInactiveAfterMonths is < 1 or > RetentionPolicy.MaxMonths,
            "anonymizeInactiveAfterMonths", $"anonymizeInactiveAfterMonths must be between 1 and {RetentionPolicy.MaxMonths}, or null to turn the policy off.");
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var policy = await db.Set<RetentionPolicy>().SingleOrDefaultAsync(cancellationToken);
        if (ETags.CheckIfMatch(http.Request, policy?.Version ?? 0, out _) is { } precondition)
        {
            return precondition;
        }
        if (policy is null)
        {
            policy = new RetentionPolicy();
            db.Set<RetentionPolicy>().Add(policy);
        }
        policy.AnonymizeInactiveAfterMonths = body.AnonymizeInactiveAfterMonths;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return ApiProblems.ConcurrentUpdate("retention policy", db.CurrentTenantId);
        }
        ETags.Set(http.Response, policy.Version);
        return TypedResults.Ok(new RetentionPolicyResponse(policy.AnonymizeInactiveAfterMonths, policy.UpdatedAt, policy.UpdatedBy, policy.Version));
    }

    /// <summary>Runs the policy now, as the schedule would; 409 when the tenant has none.</summary>
    public static async Task<Results<Ok<RetentionRunResponse>, ProblemHttpResult>> RunPolicy(
        RetentionRunner runner, ContactsDbContext db, CancellationToken cancellationToken)
    {
        var run = await runner.RunAsync(db.CurrentActorId ?? "system", cancellationToken);
        return run is null
            ? ApiProblems.Conflict("This tenant has no retention policy; set anonymizeInactiveAfterMonths first.")
            : TypedResults.Ok(RetentionRunResponse.From(run));
    }

    public static async Task<Results<Ok<CursorPage<RetentionRunResponse>>, ValidationProblem>> ListRuns(
        ContactsDbContext db, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!PageRequest.TryParse(limit, cursor, out var page, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await db.Set<RetentionRun>().AsNoTracking().ToCursorPageAsync(page, RetentionRunResponse.From, cancellationToken));
    }
}
