using CrmPlatform.Persistence.Tenancy;
using CrmPlatform.Sales.Data;

namespace CrmPlatform.Sales.Scoring;

/// <summary>
/// Something a lead did or that was done with them, as engagement scoring counts it: an activity logged on the lead or a
/// campaign event Marketing published. <see cref="SourceId"/> (the activity, or the event) makes recording it twice a no-op.
/// </summary>
public sealed class LeadEngagement : ITenantOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public Guid LeadId { get; init; }
    /// <summary>One of <see cref="EngagementKinds"/>.</summary>
    public string Kind { get; init; } = "";
    public DateTime OccurredAt { get; init; }
    public Guid SourceId { get; init; }
}

/// <summary>A tenant's model: ML.NET's bytes, the featurizer and weights read from them, and how well it did on held-out leads.</summary>
public sealed class LeadScoringModel : ITenantOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public DateTime TrainedAt { get; init; }
    public string TrainedBy { get; init; } = "";
    /// <summary>The trained ML.NET model as <c>MLContext.Model.Save</c> writes it.</summary>
    public byte[] ModelBytes { get; init; } = [];
    public LeadFeatureSpace Features { get; init; } = new([], [], []);
    /// <summary>The linear model's weights, one per feature slot, and its bias (logit units).</summary>
    public float[] Weights { get; init; } = [];
    public float Bias { get; init; }
    public int TrainingLeads { get; init; }
    public int HeldOutLeads { get; init; }
    public int Converted { get; init; }
    public int Disqualified { get; init; }
    /// <summary>Area under the ROC curve on the held-out leads.</summary>
    public double Auc { get; init; }
    public double Accuracy { get; init; }
}

/// <summary>A tenant's scheduled retraining and rescoring; the worker claims <see cref="NextRunAt"/> so a restart keeps the schedule.</summary>
public sealed class ScoringSchedule : ITenantOwned
{
    public Guid TenantId { get; set; }
    public DateTime NextRunAt { get; set; }
    public DateTime? LastRunAt { get; set; }
}

public static class LeadEngagements
{
    /// <summary>An activity logged on a lead counts as its engagement, by its kind, from when it happened; saved with the activity.</summary>
    public static void Record(SalesDbContext db, Activities.Activity activity)
    {
        if (activity.LeadId is { } leadId)
        {
            db.LeadEngagements.Add(new LeadEngagement { LeadId = leadId, Kind = activity.Kind, OccurredAt = activity.OccurredAt, SourceId = activity.Id });
        }
    }
}
