using CrmPlatform.Sales.Model;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrmPlatform.Sales.Pipelines;

/// <summary>What the opportunity writes share about stages: which stage a request means, and the answer when its rules refuse.</summary>
public static class StageMoves
{
    /// <summary>
    /// The stage a write puts an opportunity in: the one it names, else where the opportunity already is (in the same
    /// pipeline), else the pipeline's first stage. Null, with errors, when the key is no stage of the pipeline; loss
    /// details without a lost stage are an error too.
    /// </summary>
    public static PipelineStage? Resolve(Pipeline pipeline, string? key, Opportunity? current, LossDetails loss, FieldErrors errors)
    {
        key ??= current is not null && current.PipelineId == pipeline.Id ? current.Stage : pipeline.FirstStage.Key;
        var stage = pipeline.StageOf(key);
        errors.When(stage is null, "stage",
                $"stage must be one of the stages of the pipeline '{pipeline.Name}': {string.Join(", ", pipeline.Stages.Select(s => s.Key))}.")
            .When(stage is { Kind: not StageKind.Lost } && loss.IsGiven, "lostReason", "lostReason and competitor are only for a lost stage.")
            .MaxLength("lostReason", loss.Reason, LossDetails.ReasonMaxLength)
            .MaxLength("competitor", loss.Competitor, LossDetails.CompetitorMaxLength);
        return stage;
    }

    /// <summary>422 naming each field the stage requires and the opportunity lacks.</summary>
    public static ProblemHttpResult Refused(PipelineStage stage, FieldErrors missing) => ApiProblems.Unprocessable(
        $"The opportunity cannot enter the stage '{stage.Name}' without: {string.Join(", ", missing.Keys)}.", missing);
}
