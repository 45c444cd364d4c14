using CrmPlatform.Sales.Data;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Pipelines;

/// <summary>
/// Sums per currency: amounts in different currencies are never added up. The weighted amount is the amount times
/// the stage's probability, rounded to cents half away from zero; a total's weighted amount is the sum of its stages'.
/// </summary>
public sealed record BoardTotal(string Currency, decimal Amount, decimal WeightedAmount);

public sealed record BoardStage(string Key, string Name, int Probability, int Count, IReadOnlyList<BoardTotal> Totals);

/// <summary>The open opportunities of a pipeline the caller may see, by open stage in the pipeline's order.</summary>
public sealed record PipelineBoard(Guid PipelineId, string Name, IReadOnlyList<BoardStage> Stages, int Count, IReadOnlyList<BoardTotal> Totals)
{
    private sealed record Group(string Stage, string Currency, int Count, decimal Amount);

    /// <summary>
    /// One grouped query over the index of open opportunities. The record-scope filter applies as to every
    /// opportunity list, so a rep's board counts their own and their teams' opportunities.
    /// </summary>
    public static async Task<PipelineBoard> ForAsync(SalesDbContext db, Pipeline pipeline, CancellationToken cancellationToken)
    {
        var groups = await db.Opportunities.AsNoTracking()
            .Where(o => o.PipelineId == pipeline.Id && o.ClosedAt == null)
            .GroupBy(o => new { o.Stage, o.Currency })
            .Select(g => new Group(g.Key.Stage, g.Key.Currency, g.Count(), g.Sum(o => o.Amount)))
            .ToListAsync(cancellationToken);

        var stages = pipeline.Stages.Where(s => s.Kind == StageKind.Open).Select(stage =>
        {
            var inStage = groups.Where(g => g.Stage == stage.Key).OrderBy(g => g.Currency, StringComparer.Ordinal).ToList();
            return new BoardStage(stage.Key, stage.Name, stage.Probability, inStage.Sum(g => g.Count),
                [.. inStage.Select(g => new BoardTotal(g.Currency, g.Amount, Weighted(g.Amount, stage.Probability)))]);
        }).ToList();
        var totals = stages.SelectMany(s => s.Totals).GroupBy(t => t.Currency).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new BoardTotal(g.Key, g.Sum(t => t.Amount), g.Sum(t => t.WeightedAmount)))
            .ToList();
        return new PipelineBoard(pipeline.Id, pipeline.Name, stages, stages.Sum(s => s.Count), totals);
    }

    private static decimal Weighted(decimal amount, int probability) =>
        decimal.Round(amount * probability / 100m, 2, MidpointRounding.AwayFromZero);
}
