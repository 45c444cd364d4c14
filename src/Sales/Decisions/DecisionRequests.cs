using CrmPlatform.ServiceDefaults;
using static CrmPlatform.Sales.Decisions.DecisionVocabulary;

namespace CrmPlatform.Sales.Decisions;

/// <summary>A write of one part of an opportunity's decision: its rules, the contacts it names, and how it changes the part.</summary>
public interface IPartRequest<in TPart>
{
    FieldErrors Validate();
    IEnumerable<Guid> ContactIds();
    void ApplyTo(TPart part);
}

internal static class VocabularyErrors
{
    public static FieldErrors OneOf(this FieldErrors errors, string field, string? value, IReadOnlyList<string> allowed, bool required = true) =>
        errors.When(value is null ? required : !allowed.Contains(value), field, $"{field} must be one of: {DecisionVocabulary.OneOf(allowed)}.");

    public static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

public sealed record BuyingCentreMemberRequest(Guid? ContactId, string? Role, string? Influence, string? Attitude, string? Notes)
    : IPartRequest<BuyingCentreMember>
{
    public FieldErrors Validate() => new FieldErrors()
        .When(ContactId is null || ContactId == Guid.Empty, "contactId", "contactId (a person of the contact directory) is required.")
        .OneOf("role", Role, BuyingRoles)
        .OneOf("influence", Influence, Influences, required: false)
        .OneOf("attitude", Attitude, Attitudes, required: false)
        .MaxLength("notes", Notes, BuyingCentreMember.NotesMaxLength);

    public IEnumerable<Guid> ContactIds() => ContactId is { } id ? [id] : [];

    public void ApplyTo(BuyingCentreMember part)
    {
        part.ContactId = ContactId!.Value;
        part.Role = Role!;
        part.Influence = Influence ?? Medium;
        part.Attitude = Attitude ?? Neutral;
        part.Notes = VocabularyErrors.Text(Notes);
    }
}

public sealed record DecisionCriterionRequest(string? Name, string? Importance, string? Standing, string? Notes) : IPartRequest<DecisionCriterion>
{
    public FieldErrors Validate() => new FieldErrors()
        .Required("name", Name, DecisionCriterion.NameMaxLength)
        .OneOf("importance", Importance, Importances, required: false)
        .OneOf("standing", Standing, Standings, required: false)
        .MaxLength("notes", Notes, DecisionCriterion.NotesMaxLength);

    public IEnumerable<Guid> ContactIds() => [];

    public void ApplyTo(DecisionCriterion part)
    {
        part.Name = Name!.Trim();
        part.Importance = Importance ?? Important;
        part.Standing = Standing ?? Unknown;
        part.Notes = VocabularyErrors.Text(Notes);
    }
}

public sealed record DealRiskRequest(string? Kind, string? Description, string? Status, Guid? RaisedByContactId, string? Resolution)
    : IPartRequest<DealRisk>
{
    public FieldErrors Validate() => new FieldErrors()
        .OneOf("kind", Kind, RiskKinds)
        .Required("description", Description, DealRisk.DescriptionMaxLength)
        .OneOf("status", Status, RiskStatuses, required: false)
        .When(RaisedByContactId == Guid.Empty, "raisedByContactId", "raisedByContactId is not a contact id.")
        .MaxLength("resolution", Resolution, DealRisk.ResolutionMaxLength)
        // Addressing or accepting something without saying how leaves the next reader guessing.
        .When(Status is Addressed or Accepted && string.IsNullOrWhiteSpace(Resolution), "resolution",
            "Say how it was addressed or why it is accepted in resolution.");

    public IEnumerable<Guid> ContactIds() => RaisedByContactId is { } id ? [id] : [];

    public void ApplyTo(DealRisk part)
    {
        part.Kind = Kind!;
        part.Description = Description!.Trim();
        part.Status = Status ?? Open;
        part.RaisedByContactId = RaisedByContactId;
        part.Resolution = VocabularyErrors.Text(Resolution);
    }
}

/// <summary>The customer's next commitment; it becomes the current one, and the one it replaces is kept as superseded.</summary>
public sealed record CommitmentRequest(string? Description, DateOnly? DueBy, Guid? ContactId)
{
    public FieldErrors Validate() => new FieldErrors()
        .Required("description", Description, CustomerCommitment.DescriptionMaxLength)
        .When(DueBy is null, "dueBy", "dueBy (the date the customer agreed to) is required.")
        .When(ContactId == Guid.Empty, "contactId", "contactId is not a contact id.");
}

/// <summary>What became of the current commitment: kept or missed.</summary>
public sealed record CommitmentOutcomeRequest(string? Status)
{
    public FieldErrors Validate() => new FieldErrors().OneOf("status", Status, CommitmentOutcomes);
}

/// <summary>Who decided a closed deal, why, and what they chose instead; the outcome is the opportunity's.</summary>
public sealed record DecisionRequest(IReadOnlyList<Guid>? DecidedByContactIds, string? Reason, string? AlternativeChosen)
{
    public const int MaxDeciders = 20;

    public FieldErrors Validate() => new FieldErrors()
        .When(DecidedByContactIds is { Count: > MaxDeciders }, "decidedByContactIds", $"At most {MaxDeciders} people decide.")
        .When(DecidedByContactIds?.Contains(Guid.Empty) == true, "decidedByContactIds", "decidedByContactIds holds an empty id.")
        .MaxLength("reason", Reason, DealDecision.ReasonMaxLength)
        .MaxLength("alternativeChosen", AlternativeChosen, DealDecision.AlternativeMaxLength);
}
