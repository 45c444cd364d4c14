namespace CrmPlatform.Sales.Pipelines;

public enum StageKind
{
    Open,
    Won,
    Lost,
}

/// <summary>
/// A step of a pipeline, identified by its key (what an opportunity's <c>stage</c> holds). Opportunities in an open
/// stage are on the board; entering a won or lost stage closes them.
/// </summary>
/// <param name="Probability">How likely an opportunity in this stage is to be won, 0–100: the board's weighting.</param>
/// <param name="RequiredFields">Opportunity fields that must be given before an opportunity may enter the stage (<see cref="RequirableFields"/>).</param>
public sealed record PipelineStage(string Key, string Name, int Probability, StageKind Kind, IReadOnlyList<string> RequiredFields)
{
    public const int KeyMaxLength = 40;
    public const int NameMaxLength = 100;

    // A stage read back from the database must equal the one written, so that an unchanged pipeline is no change.
    public bool Equals(PipelineStage? other) =>
        other is not null && Key == other.Key && Name == other.Name && Probability == other.Probability && Kind == other.Kind
        && RequiredFields.SequenceEqual(other.RequiredFields);

    public override int GetHashCode() => HashCode.Combine(Key, Name, Probability, Kind, string.Join(',', RequiredFields));
}

/// <summary>Why an opportunity was lost and to whom: asked for when it enters a lost stage.</summary>
public sealed record LossDetails(string? Reason, string? Competitor)
{
    public const int ReasonMaxLength = 500;
    public const int CompetitorMaxLength = 200;

    public static readonly LossDetails None = new(null, null);

    public bool IsGiven => !string.IsNullOrWhiteSpace(Reason) || !string.IsNullOrWhiteSpace(Competitor);
}
