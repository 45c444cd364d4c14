using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Sales.Pipelines;

/// <summary>
/// One step of an opportunity's way through the stages: who moved it, when, from where to where, and how long it had
/// been in the stage it left. The first entry is its creation (no from). Read through the opportunity, whose record
/// scope decides who sees it.
/// </summary>
public sealed class OpportunityStageChange : ITenantOwned, IKeysetOrdered
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid OpportunityId { get; init; }
    public Guid? FromPipelineId { get; init; }
    public string? FromStage { get; init; }
    public Guid PipelineId { get; init; }
    public string Stage { get; init; } = "";
    /// <summary>When the change happened (the name lists page by).</summary>
    public DateTime CreatedAt { get; init; }
    public string ChangedBy { get; init; } = "";
    public long? SecondsInPreviousStage { get; init; }
}
