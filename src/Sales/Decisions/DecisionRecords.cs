using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Sales.Decisions;

/// <summary>
/// The parts of an opportunity that say how the customer decides. They have no owner of their own: the opportunity's
/// record scope decides who sees and changes them (reached through it, or checked against it first).
/// </summary>
public abstract class OpportunityPart : UnownedAuditedEntity
{
    public Guid OpportunityId { get; set; }
}

/// <summary>A person of the contact directory and the part they play in the customer's decision.</summary>
public sealed class BuyingCentreMember : OpportunityPart
{
    public const int NotesMaxLength = 1000;

    public Guid ContactId { get; set; }
    public string Role { get; set; } = DecisionVocabulary.Influencer;
    public string Influence { get; set; } = DecisionVocabulary.Medium;
    public string Attitude { get; set; } = DecisionVocabulary.Neutral;
    public string? Notes { get; set; }
}

/// <summary>What the customer judges the offers by, how much it weighs, and how we stand on it against the alternatives.</summary>
public sealed class DecisionCriterion : OpportunityPart
{
    public const int NameMaxLength = 200;
    public const int NotesMaxLength = 1000;

    public string Name { get; set; } = "";
    public string Importance { get; set; } = DecisionVocabulary.Important;
    public string Standing { get; set; } = DecisionVocabulary.Unknown;
    public string? Notes { get; set; }
}

/// <summary>An objection the customer raised or a risk we see, and what became of it.</summary>
public sealed class DealRisk : OpportunityPart
{
    public const int DescriptionMaxLength = 1000;
    public const int ResolutionMaxLength = 1000;

    public string Kind { get; set; } = DecisionVocabulary.Objection;
    public string Description { get; set; } = "";
    public string Status { get; set; } = DecisionVocabulary.Open;
    /// <summary>Who raised it, when a person of the buying centre did.</summary>
    public Guid? RaisedByContactId { get; set; }
    public string? Resolution { get; set; }
}

/// <summary>
/// Something the customer agreed to do by a date: the next step that is theirs, not ours. An opportunity has at most one
/// current commitment (a partial unique index keeps it so); the earlier ones stay as its history.
/// </summary>
public sealed class CustomerCommitment : OpportunityPart
{
    public const int DescriptionMaxLength = 500;

    public string Description { get; set; } = "";
    public DateOnly DueBy { get; set; }
    /// <summary>The customer's person who committed, when known.</summary>
    public Guid? ContactId { get; set; }
    public string Status { get; set; } = DecisionVocabulary.Current;
    public DateTime? ResolvedAt { get; set; }
}

/// <summary>
/// How the customer decided a closed opportunity: who decided, why, and what they chose instead (a competitor, doing
/// nothing, building it themselves). Recorded when the opportunity enters a won or lost stage, from what the move
/// carried; completed afterwards by whoever knows.
/// </summary>
public sealed class DealDecision : OpportunityPart
{
    public const int ReasonMaxLength = 1000;
    public const int AlternativeMaxLength = 200;

    public string Outcome { get; set; } = DecisionVocabulary.Won;
    public List<Guid> DecidedByContactIds { get; set; } = [];
    public string? Reason { get; set; }
    public string? AlternativeChosen { get; set; }
    public DateTime DecidedAt { get; set; }

    /// <summary>Whether who, why and (for a loss) the alternative are all known: the reports count the gaps.</summary>
    public bool IsComplete => DecidedByContactIds.Count > 0 && !string.IsNullOrWhiteSpace(Reason)
        && (Outcome == DecisionVocabulary.Won || !string.IsNullOrWhiteSpace(AlternativeChosen));
}

public static class DecisionVocabulary
{
    public const string DecisionMaker = "decision-maker";
    public const string EconomicBuyer = "economic-buyer";
    public const string Champion = "champion";
    public const string Influencer = "influencer";
    public const string User = "user";
    public const string Blocker = "blocker";
    public static readonly IReadOnlyList<string> BuyingRoles = [DecisionMaker, EconomicBuyer, Champion, Influencer, User, Blocker];

    public const string Low = "low";
    public const string Medium = "medium";
    public const string High = "high";
    public static readonly IReadOnlyList<string> Influences = [Low, Medium, High];

    public const string Supporter = "supporter";
    public const string Neutral = "neutral";
    public const string Sceptic = "sceptic";
    public const string Opponent = "opponent";
    public static readonly IReadOnlyList<string> Attitudes = [Supporter, Neutral, Sceptic, Opponent];

    public const string MustHave = "must-have";
    public const string Important = "important";
    public const string NiceToHave = "nice-to-have";
    public static readonly IReadOnlyList<string> Importances = [MustHave, Important, NiceToHave];

    public const string Ahead = "ahead";
    public const string Even = "even";
    public const string Behind = "behind";
    public const string Unknown = "unknown";
    public static readonly IReadOnlyList<string> Standings = [Ahead, Even, Behind, Unknown];

    public const string Objection = "objection";
    public const string Risk = "risk";
    public static readonly IReadOnlyList<string> RiskKinds = [Objection, Risk];

    public const string Open = "open";
    public const string Addressed = "addressed";
    public const string Accepted = "accepted";
    public const string Realized = "realized";
    public static readonly IReadOnlyList<string> RiskStatuses = [Open, Addressed, Accepted, Realized];

    public const string Current = "current";
    public const string Kept = "kept";
    public const string Missed = "missed";
    public const string Superseded = "superseded";
    /// <summary>What a current commitment may become by a request; superseded is only what a newer one does to it.</summary>
    public static readonly IReadOnlyList<string> CommitmentOutcomes = [Kept, Missed];
    public static readonly IReadOnlyList<string> CommitmentStatuses = [Current, Kept, Missed, Superseded];

    public const string Won = "won";
    public const string Lost = "lost";

    public static string OneOf(IReadOnlyList<string> values) => string.Join(", ", values);
}
