namespace CrmPlatform.Sales.Decisions;

public sealed record BuyingCentreMemberResponse(
    Guid Id, Guid OpportunityId, Guid ContactId, string? DisplayName, string Role, string Influence, string Attitude, string? Notes,
    DateTime CreatedAt, string? CreatedBy, DateTime UpdatedAt, string? UpdatedBy, int Version)
{
    public static BuyingCentreMemberResponse From(BuyingCentreMember m, string? displayName) => new(
        m.Id, m.OpportunityId, m.ContactId, displayName, m.Role, m.Influence, m.Attitude, m.Notes,
        m.CreatedAt, m.CreatedBy, m.UpdatedAt, m.UpdatedBy, m.Version);
}

public sealed record DecisionCriterionResponse(
    Guid Id, Guid OpportunityId, string Name, string Importance, string Standing, string? Notes,
    DateTime CreatedAt, string? CreatedBy, DateTime UpdatedAt, string? UpdatedBy, int Version)
{
    public static DecisionCriterionResponse From(DecisionCriterion c) => new(
        c.Id, c.OpportunityId, c.Name, c.Importance, c.Standing, c.Notes, c.CreatedAt, c.CreatedBy, c.UpdatedAt, c.UpdatedBy, c.Version);
}

public sealed record DealRiskResponse(
    Guid Id, Guid OpportunityId, string Kind, string Description, string Status, Guid? RaisedByContactId, string? Resolution,
    DateTime CreatedAt, string? CreatedBy, DateTime UpdatedAt, string? UpdatedBy, int Version)
{
    public static DealRiskResponse From(DealRisk r) => new(
        r.Id, r.OpportunityId, r.Kind, r.Description, r.Status, r.RaisedByContactId, r.Resolution,
        r.CreatedAt, r.CreatedBy, r.UpdatedAt, r.UpdatedBy, r.Version);
}

public sealed record CommitmentResponse(
    Guid Id, Guid OpportunityId, string Description, DateOnly DueBy, Guid? ContactId, string Status, DateTime? ResolvedAt,
    DateTime CreatedAt, string? CreatedBy, int Version)
{
    public static CommitmentResponse From(CustomerCommitment c) => new(
        c.Id, c.OpportunityId, c.Description, c.DueBy, c.ContactId, c.Status, c.ResolvedAt, c.CreatedAt, c.CreatedBy, c.Version);
}

public sealed record DecisionResponse(
    Guid Id, Guid OpportunityId, string Outcome, IReadOnlyList<Guid> DecidedByContactIds, string? Reason, string? AlternativeChosen,
    DateTime DecidedAt, bool IsComplete, DateTime UpdatedAt, string? UpdatedBy, int Version)
{
    public static DecisionResponse From(DealDecision d) => new(
        d.Id, d.OpportunityId, d.Outcome, d.DecidedByContactIds, d.Reason, d.AlternativeChosen, d.DecidedAt, d.IsComplete,
        d.UpdatedAt, d.UpdatedBy, d.Version);
}

/// <summary>Everything an opportunity's decision holds, in one read: what a deal review looks at.</summary>
public sealed record OpportunityDecisionsResponse(
    Guid OpportunityId,
    IReadOnlyList<BuyingCentreMemberResponse> BuyingCentre,
    IReadOnlyList<DecisionCriterionResponse> Criteria,
    IReadOnlyList<DealRiskResponse> Risks,
    CommitmentResponse? NextCommitment,
    IReadOnlyList<CommitmentResponse> Commitments,
    DecisionResponse? Decision);
