using CrmPlatform.Sales.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Scoring;

public sealed record LeadScoreResponse(
    Guid LeadId, double Score, double Fit, double Engagement, string Method, Guid? ModelId, double? ConversionProbability,
    IReadOnlyList<ScoreContribution> Contributions, DateTime? ScoredAt);

public sealed record ScoringModelResponse(
    Guid Id, DateTime TrainedAt, string TrainedBy, int TrainingLeads, int HeldOutLeads, int Converted, int Disqualified,
    double Auc, double Accuracy, int ModelBytes, IReadOnlyList<string> Features)
{
    public static ScoringModelResponse From(LeadScoringModel m) => new(
        m.Id, m.TrainedAt, m.TrainedBy, m.TrainingLeads, m.HeldOutLeads, m.Converted, m.Disqualified, m.Auc, m.Accuracy, m.ModelBytes.Length,
        [.. m.Features.SlotFeatures().Distinct()]);
}

/// <summary>A training request's answer: the model when one was trained, and how many leads were rescored with it.</summary>
public sealed record TrainingResponse(bool Trained, string Method, ScoringModelResponse? Model, int Converted, int Disqualified, int MinOutcomes,
    string? NotTrainedBecause, int Rescored);

public sealed record ScoringSettingsRequest(ScoringWeights? Weights, int? MinOutcomes)
{
    public const int MaxPoints = 1_000;

    public FieldErrors Validate()
    {
        var errors = new FieldErrors()
            .When(Weights is null, "weights", "weights is required.")
            .When(MinOutcomes is not null and (< 2 * ScoringSettings.MinOutcomesPerClass or > 1_000_000), "minOutcomes",
                $"minOutcomes is from {2 * ScoringSettings.MinOutcomesPerClass} to 1000000.");
        if (Weights is not { } weights)
        {
            return errors;
        }
        IEnumerable<double> points = [.. (weights.Industries ?? []).Values, .. (weights.Countries ?? []).Values, .. (weights.Seniority ?? []).Values,
            .. (weights.Engagement ?? []).Values, .. (weights.CompanySizes ?? []).Select(b => b.Points), weights.PerProductInterest];
        return errors
            .When(points.Any(p => double.IsNaN(p) || Math.Abs(p) > MaxPoints), "weights", $"Points are from -{MaxPoints} to {MaxPoints}.")
            .When((weights.CompanySizes ?? []).Any(b => b.MinEmployees < 0), "weights.companySizes", "minEmployees is 0 or more.")
            .When(weights.MaxProductInterests is < 0 or > 100, "weights.maxProductInterests", "maxProductInterests is from 0 to 100.")
            .When(weights.EngagementHalfLifeDays is < 1 or > 3650, "weights.engagementHalfLifeDays", "engagementHalfLifeDays is from 1 to 3650.");
    }
}

public sealed record ScoringSettingsResponse(ScoringWeights Weights, int MinOutcomes, int MinOutcomesPerClass, bool IsDefault);

/// <summary>
/// <c>/api/v1/leads/{id}/score</c> (a lead's score and its explanation) and <c>/api/v1/lead-scoring</c> (the tenant's
/// weights, its model, training on demand and rescoring). Reading follows the lead's record scope; training and
/// settings are the managers'.
/// </summary>
public static class LeadScoringApi
{
    public static RouteGroupBuilder MapLeadScoringApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/leads/{id:guid}/score", GetScore).WithTags("Leads").RequirePermission(Permissions.LeadScoring, Operation.Read);
        var api = app.MapGroup("/api/v1/lead-scoring").WithTags("Lead scoring");
        api.MapGet("/settings", GetSettings).RequirePermission(Permissions.LeadScoring, Operation.Read);
        api.MapPut("/settings", PutSettings).RequirePermission(Permissions.LeadScoring, Operation.Update);
        api.MapGet("/model", GetModel).RequirePermission(Permissions.LeadScoring, Operation.Read);
        api.MapPost("/model/train", Train).RequirePermission(Permissions.LeadScoring, Operation.Update);
        api.MapPost("/rescore", Rescore).RequirePermission(Permissions.LeadScoring, Operation.Update);
        return api;
    }

    /// <summary>The stored score; a lead never scored yet is scored now (and not stored: reading changes nothing).</summary>
    public static async Task<Results<Ok<LeadScoreResponse>, ProblemHttpResult>> GetScore(Guid id, SalesDbContext db, CancellationToken cancellationToken)
    {
        var lead = await db.Leads.AsNoTracking().SingleOrDefaultAsync(l => l.Id == id, cancellationToken);
        if (lead is null)
        {
            return ApiProblems.NotFound("lead", id);
        }
        if (lead.ScoredAt is null)
        {
            await LeadScorer.ScoreAsync(db, lead, cancellationToken);
        }
        return TypedResults.Ok(new LeadScoreResponse(lead.Id, lead.Score ?? 0, lead.FitScore ?? 0, lead.EngagementScore ?? 0, lead.ScoreMethod ?? LeadScorer.Rules,
            lead.ScoreModelId, lead.ConversionProbability, lead.ScoreContributions, lead.ScoredAt));
    }

    public static async Task<Ok<ScoringSettingsResponse>> GetSettings(SalesDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var settings = await db.ScoringSettings.AsNoTracking().SingleOrDefaultAsync(cancellationToken);
        ETags.Set(response, settings?.Version ?? 0);
        return TypedResults.Ok(settings is null
            ? new ScoringSettingsResponse(ScoringWeights.Defaults, ScoringSettings.DefaultMinOutcomes, ScoringSettings.MinOutcomesPerClass, true)
            : new ScoringSettingsResponse(settings.Weights, settings.MinOutcomes, ScoringSettings.MinOutcomesPerClass, false));
    }

    /// <summary>Replaces the weights (If-Match "0" or none for the first time); scores follow at the next rescore.</summary>
    public static async Task<Results<Ok<ScoringSettingsResponse>, ValidationProblem, ProblemHttpResult>> PutSettings(
        ScoringSettingsRequest request, SalesDbContext db, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var settings = await db.ScoringSettings.SingleOrDefaultAsync(cancellationToken);
        if (http.Request.Headers.IfMatch.Count > 0 && ETags.CheckIfMatch(http.Request, settings?.Version ?? 0, out _) is { } precondition)
        {
            return precondition;
        }
        if (settings is null)
        {
            settings = new ScoringSettings();
            db.ScoringSettings.Add(settings);
        }
        settings.Weights = request.Weights!;
        settings.MinOutcomes = request.MinOutcomes ?? ScoringSettings.DefaultMinOutcomes;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return ApiProblems.Conflict("The scoring settings were changed by someone else while this request ran; read them again and retry.");
        }
        ETags.Set(http.Response, settings.Version);
        return TypedResults.Ok(new ScoringSettingsResponse(settings.Weights, settings.MinOutcomes, ScoringSettings.MinOutcomesPerClass, false));
    }

    public static async Task<Results<Ok<ScoringModelResponse>, ProblemHttpResult>> GetModel(SalesDbContext db, CancellationToken cancellationToken)
    {
        var model = await db.LeadScoringModels.AsNoTracking().OrderByDescending(m => m.TrainedAt).ThenByDescending(m => m.Id).FirstOrDefaultAsync(cancellationToken);
        return model is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "No model has been trained for this tenant; leads are scored by rules.")
            : TypedResults.Ok(ScoringModelResponse.From(model));
    }

    /// <summary>Trains when there are enough outcomes, then rescores every lead with what there is (model or rules).</summary>
    public static async Task<Ok<TrainingResponse>> Train(SalesDbContext db, CancellationToken cancellationToken)
    {
        var result = await ModelTrainer.TrainAsync(db, cancellationToken);
        var rescored = await BulkScorer.RescoreTenantAsync(db, cancellationToken);
        var hasModel = result.Model is not null || await db.LeadScoringModels.AnyAsync(cancellationToken);
        return TypedResults.Ok(new TrainingResponse(result.Model is not null, hasModel ? LeadScorer.ModelMethod : LeadScorer.Rules,
            result.Model is null ? null : ScoringModelResponse.From(result.Model), result.Converted, result.Disqualified, result.MinOutcomes,
            result.NotTrainedBecause, rescored));
    }

    public static async Task<Ok<RescoreResponse>> Rescore(SalesDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(new RescoreResponse(await BulkScorer.RescoreTenantAsync(db, cancellationToken)));

    public sealed record RescoreResponse(int Rescored);
}
