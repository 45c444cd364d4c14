using System.Text.Json;
using CrmPlatform.Persistence.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Merging;

/// <summary>
/// One merge of people or organizations: who survived, who was merged, and the rows as they were before (the
/// records themselves and the relations the merge re-pointed or dropped), so the merge can be undone within the
/// undo window. Kept after an undo as the log of what happened.
/// </summary>
public sealed class MergeRecord : ITenantOwned, IKeysetOrdered
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    public DateTime CreatedAt { get; init; }
    /// <summary>person or organization (<c>MergeKinds</c>).</summary>
    public string Kind { get; init; } = "";
    public Guid SurvivorId { get; init; }
    public Guid[] MergedIds { get; init; } = [];
    public string MergedBy { get; init; } = "";
    /// <summary>The survivor's version the merge wrote; undo refuses when the survivor has changed since.</summary>
    public int SurvivorVersion { get; set; }
    /// <summary>The rows before the merge, by table: <c>{ "people": [ {row as JSON} ], "affiliations": [...] }</c>.</summary>
    public JsonDocument Before { get; init; } = JsonDocument.Parse("{}");
    public DateTime? UndoneAt { get; set; }
    public string? UndoneBy { get; set; }
}

internal static class MergeRecordModel
{
    public static ModelBuilder AddMerges(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<MergeRecord>(merge =>
        {
            merge.ToTable("merges");
            merge.Property(m => m.Kind).HasMaxLength(20);
            merge.Property(m => m.MergedBy).HasMaxLength(200);
            merge.Property(m => m.UndoneBy).HasMaxLength(200);
            merge.Property(m => m.Before).HasColumnType("jsonb");
            merge.HasIndex(m => new { m.TenantId, m.CreatedAt, m.Id });
            // "Was this id merged, and into whom?" for reads of a merged id.
            merge.HasIndex(m => m.MergedIds).HasMethod("gin");
        });
        return modelBuilder;
    }
}
