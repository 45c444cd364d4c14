using System.Text.Json;
using CrmPlatform.Contacts.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CrmPlatform.Contacts.Imports;

public static class ImportModel
{
    public static ModelBuilder AddImports(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ImportJob>(job =>
        {
            job.ToTable("import_jobs");
            job.Property(j => j.CreatedBy).HasMaxLength(200);
            job.Property(j => j.FileName).HasMaxLength(ImportJob.FileNameMaxLength);
            job.Property(j => j.Format).HasKindName();
            job.Property(j => j.Mode).HasKindName();
            job.Property(j => j.MatchBy).HasKindName();
            job.Property(j => j.Status).HasKindName();
            job.Property(j => j.ExternalIdSource).HasMaxLength(ExternalIds.SourceMaxLength);
            job.Property(j => j.Mapping).HasJsonDictionary();
            job.Property(j => j.Encoding).HasMaxLength(20);
            job.Property(j => j.Delimiter).HasMaxLength(1);
            job.Property(j => j.DefaultCountry).HasMaxLength(2);
            job.Property(j => j.AppliedDefaultCountry).HasMaxLength(2);
            job.Ignore(j => j.Dialect);
            job.HasIndex(j => new { j.TenantId, j.CreatedAt, j.Id });
            // What the worker looks for.
            job.HasIndex(j => new { j.Status, j.CreatedAt });
        });

        modelBuilder.Entity<ImportRow>(row =>
        {
            row.ToTable("import_rows");
            row.HasKey(r => new { r.JobId, r.RowNumber });
            row.Property(r => r.Outcome).HasKindName();
            row.Property(r => r.Email).HasMaxLength(Person.EmailMaxLength);
            row.Property(r => r.ExternalKey).HasMaxLength(ExternalIds.IdMaxLength);
            row.Property(r => r.Values).HasJsonDictionary();
            row.Property(r => r.Before).HasColumnType("jsonb");
            row.HasIndex(r => new { r.JobId, r.Email });
            row.HasIndex(r => new { r.JobId, r.ExternalKey });
            row.HasIndex(r => new { r.JobId, r.PersonId });
            row.HasOne<ImportJob>().WithMany().HasForeignKey(r => r.JobId).OnDelete(DeleteBehavior.Cascade);
        });
        return modelBuilder;
    }

    private static PropertyBuilder<TEnum> HasKindName<TEnum>(this PropertyBuilder<TEnum> property) where TEnum : struct, Enum =>
        property.HasMaxLength(30).HasConversion(value => KindNames.Of(value), name => KindNames.Parse<TEnum>(name));

    /// <summary>A small JSON object kept in a jsonb column, compared by its JSON.</summary>
    private static PropertyBuilder<T> HasJsonDictionary<T>(this PropertyBuilder<T> property) =>
        property.HasColumnType("jsonb").HasConversion(
            values => JsonSerializer.Serialize(values, JsonSerializerOptions.Web),
            json => JsonSerializer.Deserialize<T>(json, JsonSerializerOptions.Web)!,
            new ValueComparer<T>(
                (left, right) => JsonSerializer.Serialize(left, JsonSerializerOptions.Web) == JsonSerializer.Serialize(right, JsonSerializerOptions.Web),
                values => JsonSerializer.Serialize(values, JsonSerializerOptions.Web).GetHashCode(StringComparison.Ordinal),
                values => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(values, JsonSerializerOptions.Web), JsonSerializerOptions.Web)!));
}
