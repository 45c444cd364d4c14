using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.Sales.Model;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Sales.Pipelines;

/// <summary>
/// A tenant's sales process: ordered stages with their probabilities and the fields each requires. Tenant
/// configuration, so no record scope applies: every Sales reader sees every pipeline.
/// </summary>
public sealed class Pipeline : UnownedAuditedEntity
{
    public const int NameMaxLength = 100;
    public const int MaxStages = 30;

    public string Name { get; set; } = "";

    /// <summary>Where opportunities go when they name no pipeline; a tenant has exactly one (a unique index keeps it so).</summary>
    public bool IsDefault { get; set; }

    /// <summary>In order: the open stages, then the won and lost stages (<see cref="CheckStages"/>).</summary>
    public IReadOnlyList<PipelineStage> Stages { get; set; } = [];

    public PipelineStage? StageOf(string key) => Stages.FirstOrDefault(s => s.Key == key);

    public PipelineStage FirstStage => Stages[0];

    /// <summary>
    /// What keeps <paramref name="opportunity"/> out of <paramref name="stage"/>: each required field it lacks, and the
    /// reason a lost stage asks for. Empty when it may enter.
    /// </summary>
    public static FieldErrors CheckEntry(PipelineStage stage, Opportunity opportunity, LossDetails loss)
    {
        var errors = new FieldErrors();
        foreach (var field in stage.RequiredFields.Where(field => !RequirableFields.IsGiven(field, opportunity)))
        {
            errors.Add(field, $"Stage '{stage.Name}' requires {RequirableFields.Describe(field)}.");
        }
        return errors.When(stage.Kind == StageKind.Lost && string.IsNullOrWhiteSpace(loss.Reason), "lostReason",
            $"Stage '{stage.Name}' closes the opportunity as lost: say why in lostReason.");
    }

    /// <summary>
    /// The rules of a stage list, as errors on <c>stages</c> or <c>stages[i].field</c>: unique keys; at least one
    /// open, one won and one lost stage; the open stages first; won at 100 %, lost at 0 %, and along the open stages a
    /// probability never below the one before (a later stage is no less likely to close).
    /// </summary>
    public static FieldErrors CheckStages(IReadOnlyList<PipelineStage> stages, FieldErrors errors)
    {
        errors.When(stages.Count > MaxStages, "stages", $"A pipeline has at most {MaxStages} stages.");
        foreach (var kind in Enum.GetValues<StageKind>())
        {
            errors.When(stages.All(s => s.Kind != kind), "stages", $"A pipeline needs at least one {KindName(kind)} stage.");
        }
        var previousOpen = 0;
        for (var i = 0; i < stages.Count; i++)
        {
            var stage = stages[i];
            errors.When(stages.Take(i).Any(s => s.Key == stage.Key), $"stages[{i}].key", $"The key '{stage.Key}' is used by an earlier stage.")
                .When(stage.Kind == StageKind.Open && stages.Take(i).Any(s => s.Kind != StageKind.Open), $"stages[{i}].kind",
                    "Open stages come before the won and lost stages.")
                .When(stage.Kind == StageKind.Won && stage.Probability != 100, $"stages[{i}].probability", "A won stage has probability 100.")
                .When(stage.Kind == StageKind.Lost && stage.Probability != 0, $"stages[{i}].probability", "A lost stage has probability 0.")
                .When(stage.Kind == StageKind.Open && stage.Probability < previousOpen, $"stages[{i}].probability",
                    $"An open stage's probability is at least that of the open stage before it ({previousOpen}).");
            if (stage.Kind == StageKind.Open)
            {
                previousOpen = Math.Max(previousOpen, stage.Probability);
            }
        }
        return errors;
    }

    public static string KindName(StageKind kind) => kind.ToString().ToLowerInvariant();

    public const string SeededName = "Sales pipeline";

    /// <summary>
    /// The stages opportunities had before pipelines were configurable, with probabilities, and nothing required: what
    /// a tenant starts with, so that clients written for the fixed stages keep working. The migration <c>Pipelines</c>
    /// writes the same list as JSON for tenants that already had opportunities.
    /// </summary>
    public static IReadOnlyList<PipelineStage> SeededStages { get; } =
    [
        new("prospecting", "Prospecting", 10, StageKind.Open, []),
        new("qualification", "Qualification", 20, StageKind.Open, []),
        new("proposal", "Proposal", 50, StageKind.Open, []),
        new("negotiation", "Negotiation", 75, StageKind.Open, []),
        new("closed-won", "Closed won", 100, StageKind.Won, []),
        new("closed-lost", "Closed lost", 0, StageKind.Lost, []),
    ];

    public static Pipeline Seeded() => new() { Name = SeededName, IsDefault = true, Stages = SeededStages };
}
