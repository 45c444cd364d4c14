using CrmPlatform.Marketing.Campaigns;
using CrmPlatform.Marketing.Data;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Marketing.Apis;

/// <summary>An address to suppress by hand (a complaint forwarded by a provider, a request by phone).</summary>
public sealed record SuppressionRequest(string? Email, string? Reason, string? Note);

public sealed record SuppressionResponse(Guid Id, string Email, string Reason, Guid? CampaignId, string? Note, DateTime CreatedAt, string? CreatedBy)
{
    public static SuppressionResponse From(Suppression s) => new(s.Id, s.Email, s.Reason, s.CampaignId, s.Note, s.CreatedAt, s.CreatedBy);
}

/// <summary>
/// The suppression list: addresses no campaign sends to whatever the consent says (unsubscribes, hard bounces,
/// complaints, by hand). Unsubscribes and bounces add themselves; removing one lets campaigns reach the address again
/// only where the person's consent still allows it.
/// </summary>
public static class SuppressionsApi
{
    private const string Resource = "suppression";

    public static RouteGroupBuilder MapSuppressionsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/suppressions").WithTags("Suppressions");
        api.MapGet("/", ListSuppressions).RequirePermission(Permissions.Suppressions, Operation.Read);
        api.MapPost("/", AddSuppression).RequirePermission(Permissions.Suppressions, Operation.Create);
        api.MapDelete("/{id:guid}", RemoveSuppression).RequirePermission(Permissions.Suppressions, Operation.Delete);
        return api;
    }

    public static async Task<Results<Ok<CursorPage<SuppressionResponse>>, ValidationProblem>> ListSuppressions(
        MarketingDbContext db, int? limit, string? cursor, string? email, CancellationToken cancellationToken)
    {
        if (!PageRequest.TryParse(limit, cursor, out var page, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        var query = db.Suppressions.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(email))
        {
            var normalized = Suppression.Normalize(email);
            query = query.Where(s => s.Email == normalized);
        }
        return TypedResults.Ok(await query.ToCursorPageAsync(page, SuppressionResponse.From, cancellationToken));
    }

    public static async Task<Results<Created<SuppressionResponse>, ValidationProblem, ProblemHttpResult>> AddSuppression(
        SuppressionRequest request, MarketingDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var reason = request.Reason ?? SuppressionReasons.Manual;
        var errors = new FieldErrors()
            .Required("email", request.Email, Suppression.EmailMaxLength).Email("email", request.Email)
            .When(!SuppressionReasons.All.Contains(reason), "reason", $"reason is one of: {string.Join(", ", SuppressionReasons.All)}.")
            .MaxLength("note", request.Note, 500);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var email = Suppression.Normalize(request.Email!);
        if (await db.Suppressions.AnyAsync(s => s.Email == email, cancellationToken))
        {
            return ApiProblems.Conflict($"'{email}' is already suppressed.");
        }
        var suppression = await SuppressAsync(db, email, reason, null, request.Note, clock.GetUtcNow().UtcDateTime, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/suppressions/{suppression.Id}", SuppressionResponse.From(suppression));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RemoveSuppression(Guid id, MarketingDbContext db, CancellationToken cancellationToken)
    {
        var removed = await db.Suppressions.Where(s => s.Id == id).ExecuteDeleteAsync(cancellationToken);
        return removed == 0 ? ApiProblems.NotFound(Resource, id) : TypedResults.NoContent();
    }

    /// <summary>The address's suppression, added to the unit of work if there is none yet (the first reason stays).</summary>
    public static async Task<Suppression> SuppressAsync(
        MarketingDbContext db, string email, string reason, Guid? campaignId, string? note, DateTime now, CancellationToken cancellationToken)
    {
        var normalized = Suppression.Normalize(email);
        var existing = db.Suppressions.Local.FirstOrDefault(s => s.Email == normalized)
            ?? await db.Suppressions.SingleOrDefaultAsync(s => s.Email == normalized, cancellationToken);
        if (existing is not null)
        {
            return existing;
        }
        var suppression = new Suppression
        {
            Email = normalized, Reason = reason, CampaignId = campaignId, Note = note?.Trim(), CreatedAt = now, CreatedBy = db.Actor,
        };
        db.Suppressions.Add(suppression);
        return suppression;
    }
}
