using System.Collections.Concurrent;
using CrmPlatform.Sales.Data;
using CrmPlatform.Sales.Leads;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Scoring;

/// <summary>A lead's score and what it is made of; <see cref="Score"/> is the sum of <see cref="Contributions"/>.</summary>
public sealed record LeadScore(
    double Fit, double Engagement, double Score, string Method, Guid? ModelId, double? ConversionProbability, IReadOnlyList<ScoreContribution> Contributions)
{
    /// <summary>
    /// Sets the lead's score; a score equal to the one it has changes nothing (not even <c>scoredAt</c>), so a write that
    /// changes nothing else of the lead stays a no-op (no new version).
    /// </summary>
    public void ApplyTo(Lead lead, DateTime scoredAt)
    {
        if (lead.ScoredAt is not null && lead.Score == Score && lead.FitScore == Fit && lead.EngagementScore == Engagement
            && lead.ScoreMethod == Method && lead.ScoreModelId == ModelId && lead.ScoreContributions.SequenceEqual(Contributions))
        {
            return;
        }
        lead.FitScore = Fit;
        lead.EngagementScore = Engagement;
        lead.Score = Score;
        lead.ScoreMethod = Method;
        lead.ScoreModelId = ModelId;
        lead.ConversionProbability = ConversionProbability;
        lead.ScoreContributions = Contributions;
        lead.ScoredAt = scoredAt;
    }
}

/// <summary>A tenant's scoring inputs at one moment: its weights and, once trained, its model.</summary>
public sealed record ScoringContext(ScoringWeights Weights, LeadScoringModel? Model);

/// <summary>
/// Scores leads. Rules: fit (industry, company size, country, seniority, product interests) plus engagement (activities
/// and campaign events, each halving in weight every half-life). Model, once the tenant has one: a logistic
/// regression over the same attributes and the engagement score; its contributions are weight × value per feature plus
/// the bias as <c>baseline</c>, in points of <see cref="PointsPerLogit"/> per logit, so they add up to the score exactly
/// and the conversion probability is the logistic of score / <see cref="PointsPerLogit"/>.
/// </summary>
public static class LeadScorer
{
    public const string Rules = "rules";
    public const string ModelMethod = "model";
    public const double PointsPerLogit = 10;

    public static LeadScore Compute(LeadFacts lead, IEnumerable<(string Kind, DateTime OccurredAt)> engagements, ScoringContext context, DateTime now)
    {
        var weights = context.Weights;
        var engagementParts = Engagement(engagements, weights, now);
        var engagement = engagementParts.Sum(p => p.Points);
        var fitParts = Fit(lead, weights);
        var fit = fitParts.Sum(p => p.Points);
        if (context.Model is not { } model)
        {
            List<ScoreContribution> parts = [.. fitParts, .. engagementParts];
            return new(fit, engagement, parts.Sum(p => p.Points), Rules, null, null, parts);
        }

        var slots = model.Features.Featurize(lead, engagement);
        var features = model.Features.SlotFeatures();
        var byFeature = new Dictionary<string, double>();
        for (var i = 0; i < slots.Length; i++)
        {
            if (slots[i] != 0)
            {
                byFeature[features[i]] = byFeature.GetValueOrDefault(features[i]) + (double)model.Weights[i] * slots[i] * PointsPerLogit;
            }
        }
        List<ScoreContribution> contributions =
        [
            new(LeadFeatureSpace.Baseline, null, (double)model.Bias * PointsPerLogit),
            .. byFeature.Select(f => new ScoreContribution(f.Key, LeadFeatureSpace.ValueOf(f.Key, lead, engagement), f.Value)),
        ];
        var score = contributions.Sum(c => c.Points);
        return new(fit, engagement, score, ModelMethod, model.Id, 1 / (1 + Math.Exp(-score / PointsPerLogit)), contributions);
    }

    private static List<ScoreContribution> Fit(LeadFacts lead, ScoringWeights weights)
    {
        var parts = new List<ScoreContribution>();
        void Add(string feature, string? value, double points)
        {
            if (points != 0)
            {
                parts.Add(new(feature, value, points));
            }
        }
        if (lead.Industry is { } industry)
        {
            Add(LeadFeatureSpace.Industry, industry, weights.Industries.GetValueOrDefault(industry.Trim()));
        }
        if (lead.EmployeeCount is { } employees)
        {
            var band = weights.CompanySizes.Where(b => employees >= b.MinEmployees).MaxBy(b => b.MinEmployees);
            Add(LeadFeatureSpace.CompanySize, employees.ToString(System.Globalization.CultureInfo.InvariantCulture), band?.Points ?? 0);
        }
        if (lead.Country is { } country)
        {
            Add(LeadFeatureSpace.Country, country.Trim(), weights.Countries.GetValueOrDefault(country.Trim()));
        }
        if (Seniority.Of(lead.JobTitle) is { } level)
        {
            Add(LeadFeatureSpace.SeniorityFeature, level, weights.Seniority.GetValueOrDefault(level));
        }
        var interests = Math.Min(lead.ProductInterests.Count, weights.MaxProductInterests);
        Add(LeadFeatureSpace.ProductInterests, string.Join(", ", lead.ProductInterests), interests * weights.PerProductInterest);
        return parts;
    }

    private static List<ScoreContribution> Engagement(IEnumerable<(string Kind, DateTime OccurredAt)> engagements, ScoringWeights weights, DateTime now)
    {
        var halfLife = weights.EngagementHalfLifeDays > 0 ? weights.EngagementHalfLifeDays : double.PositiveInfinity;
        return engagements
            .GroupBy(e => e.Kind)
            .Select(kind => (Kind: kind.Key, Count: kind.Count(), Points: kind.Sum(e =>
                weights.Engagement.GetValueOrDefault(e.Kind) * Math.Pow(0.5, Math.Max(0, (now - e.OccurredAt).TotalDays) / halfLife))))
            .Where(k => k.Points != 0)
            .OrderBy(k => k.Kind, StringComparer.Ordinal)
            .Select(k => new ScoreContribution($"{LeadFeatureSpace.Engagement}: {k.Kind}", $"{k.Count}", k.Points))
            .ToList();
    }

    /// <summary>Models by id: a model never changes once stored, so one read per process is enough.</summary>
    private static readonly ConcurrentDictionary<Guid, LeadScoringModel> Models = new();

    public static async Task<ScoringContext> ContextAsync(SalesDbContext db, CancellationToken cancellationToken)
    {
        var settings = await db.ScoringSettings.AsNoTracking().SingleOrDefaultAsync(cancellationToken);
        var latest = await db.LeadScoringModels.OrderByDescending(m => m.TrainedAt).ThenByDescending(m => m.Id)
            .Select(m => (Guid?)m.Id).FirstOrDefaultAsync(cancellationToken);
        LeadScoringModel? model = null;
        if (latest is { } id && !Models.TryGetValue(id, out model))
        {
            model = await db.LeadScoringModels.AsNoTracking().SingleAsync(m => m.Id == id, cancellationToken);
            Models[id] = model;
        }
        return new((settings?.Weights ?? ScoringWeights.Defaults).CaseInsensitive(), model);
    }

    /// <summary>Scores one lead (tracked or new) in memory with its engagement; the caller's SaveChanges writes it.</summary>
    public static async Task<LeadScore> ScoreAsync(SalesDbContext db, Lead lead, CancellationToken cancellationToken)
    {
        var context = await ContextAsync(db, cancellationToken);
        var engagements = await db.LeadEngagements.AsNoTracking().Where(e => e.LeadId == lead.Id)
            .Select(e => new { e.Kind, e.OccurredAt }).ToListAsync(cancellationToken);
        var now = DateTime.UtcNow;
        var score = Compute(LeadFacts.From(lead), engagements.Select(e => (e.Kind, e.OccurredAt)), context, now);
        score.ApplyTo(lead, now);
        return score;
    }
}
