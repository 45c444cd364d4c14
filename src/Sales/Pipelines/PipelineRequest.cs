using System.Text.RegularExpressions;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Sales.Pipelines;

/// <summary>
/// A stage as written: <c>key</c> (lower-case letters, digits and -, what opportunities' <c>stage</c> holds),
/// <c>name</c>, <c>probability</c> 0–100, <c>kind</c> open, won or lost, and <c>requiredFields</c> (opportunity
/// fields that must be given to enter it).
/// </summary>
public sealed record StageRequest(string? Key, string? Name, int? Probability, string? Kind, IReadOnlyList<string?>? RequiredFields);

/// <summary>A pipeline as written: <c>name</c>, <c>isDefault</c> and its <c>stages</c> in order.</summary>
public sealed partial record PipelineRequest(string? Name, bool? IsDefault, IReadOnlyList<StageRequest?>? Stages)
{
    /// <summary>The pipeline the request describes, not yet saved; null with the errors when it describes none.</summary>
    public Pipeline? Read(out FieldErrors errors)
    {
        errors = new FieldErrors()
            .Required("name", Name, Pipeline.NameMaxLength)
            .When(Stages is null, "stages", "stages is required: the pipeline's stages in order.");
        var stages = new List<PipelineStage>();
        for (var i = 0; i < (Stages?.Count ?? 0); i++)
        {
            if (ReadStage(Stages![i], $"stages[{i}]", errors) is { } stage)
            {
                stages.Add(stage);
            }
        }
        if (errors.IsValid)
        {
            Pipeline.CheckStages(stages, errors);
        }
        return errors.IsValid ? new Pipeline { Name = Name!.Trim(), IsDefault = IsDefault ?? false, Stages = stages } : null;
    }

    private static PipelineStage? ReadStage(StageRequest? stage, string path, FieldErrors errors)
    {
        if (stage is null)
        {
            errors.Add(path, "A stage cannot be null.");
            return null;
        }
        var before = errors.Count;
        errors.Required($"{path}.key", stage.Key, PipelineStage.KeyMaxLength)
            .When(stage.Key is not null && !StageKey().IsMatch(stage.Key), $"{path}.key",
                "key starts with a lower-case letter followed by lower-case letters, digits or - (prospecting, closed-won).")
            .Required($"{path}.name", stage.Name, PipelineStage.NameMaxLength)
            .When(stage.Probability is null or < 0 or > 100, $"{path}.probability", "probability is a whole number from 0 to 100.");
        var kind = Enum.GetValues<StageKind>().Select(k => (StageKind?)k).FirstOrDefault(k => Pipeline.KindName(k!.Value) == stage.Kind);
        errors.When(kind is null, $"{path}.kind", "kind is open, won or lost.");
        var required = new List<string>();
        foreach (var field in stage.RequiredFields ?? [])
        {
            if (field is null || !RequirableFields.IsKnown(field))
            {
                errors.Add($"{path}.requiredFields", $"'{field}' cannot be required; fields a stage can require: {string.Join(", ", RequirableFields.Names)}.");
            }
            else if (!required.Contains(field))
            {
                required.Add(field);
            }
        }
        return errors.Count == before
            ? new PipelineStage(stage.Key!, stage.Name!.Trim(), stage.Probability!.Value, kind!.Value, required)
            : null;
    }

    [GeneratedRegex("^[a-z][a-z0-9-]*$")]
    private static partial Regex StageKey();
}

public sealed record PipelineResponse(
    Guid Id, string Name, bool IsDefault, IReadOnlyList<PipelineStage> Stages,
    DateTime CreatedAt, string? CreatedBy, DateTime UpdatedAt, string? UpdatedBy, int Version)
{
    public static PipelineResponse From(Pipeline p) => new(
        p.Id, p.Name, p.IsDefault, p.Stages, p.CreatedAt, p.CreatedBy, p.UpdatedAt, p.UpdatedBy, p.Version);
}
