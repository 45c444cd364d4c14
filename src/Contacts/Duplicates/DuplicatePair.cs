using System.Text.Json;
using CrmPlatform.Persistence.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Contacts.Duplicates;

/// <summary>
/// Two records of one kind that look like the same customer, with the score and reasons that say why; listed for
/// review until someone merges them or dismisses the pair (a dismissed pair is never listed again, whatever a later
/// scan finds). Stored once per pair, the smaller id first.
/// </summary>
public sealed class DuplicatePair : ITenantOwned, IKeysetOrdered
{
    public const string Open = "open";
    public const string Dismissed = "dismissed";

    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; set; }
    /// <summary>When the pair was first found.</summary>
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
    /// <summary>person or organization.</summary>
    public string Kind { get; init; } = "";
    public Guid RecordId { get; init; }
    public Guid OtherId { get; init; }
    public int Score { get; set; }
    /// <summary>A JSON array of { rule, field, values, points } (<see cref="DuplicateRules"/>).</summary>
    public JsonDocument Reasons { get; set; } = JsonDocument.Parse("[]");
    public string Status { get; set; } = Open;
    public string? DismissedBy { get; set; }
    public DateTime? DismissedAt { get; set; }
}

internal static class DuplicatePairModel
{
    public const string Table = "duplicate_pairs";

    public static ModelBuilder AddDuplicates(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<DuplicatePair>(pair =>
        {
            pair.ToTable(Table);
            pair.Property(p => p.Kind).HasMaxLength(20);
            pair.Property(p => p.Status).HasMaxLength(20);
            pair.Property(p => p.DismissedBy).HasMaxLength(200);
            pair.Property(p => p.Reasons).HasColumnType("jsonb");
            pair.HasIndex(p => new { p.TenantId, p.Kind, p.RecordId, p.OtherId }).IsUnique();
            pair.HasIndex(p => new { p.TenantId, p.CreatedAt, p.Id });
            pair.HasIndex(p => p.OtherId);
        });
        return modelBuilder;
    }
}
