using CrmPlatform.Persistence.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Persistence.Idempotency;

/// <summary>
/// The first answer to a POST sent with an <c>Idempotency-Key</c>, kept so a retry with the same key gets the same
/// answer instead of a second record. <see cref="StatusCode"/> is null while the first request is still running.
/// </summary>
public sealed class IdempotencyRecord : ITenantOwned
{
    public Guid TenantId { get; set; }
    public string Key { get; init; } = "";
    /// <summary>SHA-256 of method, path, query and body: the same key with another request is a client bug.</summary>
    public string RequestHash { get; init; } = "";
    public DateTime CreatedAt { get; init; }
    public int? StatusCode { get; set; }
    public string? ContentType { get; set; }
    public string? Location { get; set; }
    public string? ETag { get; set; }
    public byte[]? Body { get; set; }
}

/// <summary>A DbContext that keeps idempotency records.</summary>
public interface IIdempotencyDbContext
{
    DbSet<IdempotencyRecord> IdempotencyRecords { get; }
}

public static class IdempotencyModel
{
    public const int KeyMaxLength = 200;

    public static ModelBuilder AddIdempotencyRecords(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<IdempotencyRecord>(record =>
        {
            record.ToTable("idempotency_records");
            record.HasKey(r => new { r.TenantId, r.Key });
            record.Property(r => r.Key).HasMaxLength(KeyMaxLength);
            record.Property(r => r.RequestHash).HasMaxLength(64);
            record.Property(r => r.ContentType).HasMaxLength(200);
            record.Property(r => r.Location).HasMaxLength(500);
            record.Property(r => r.ETag).HasMaxLength(100);
            record.HasIndex(r => r.CreatedAt);
        });
        return modelBuilder;
    }
}
