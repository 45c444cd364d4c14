using CrmPlatform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Leads.Imports;

public static class LeadImportModel
{
    public static ModelBuilder AddLeadImports(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<LeadImportJob>(job =>
        {
            job.ToTable("lead_import_jobs");
            job.Property(j => j.CreatedBy).HasMaxLength(200);
            job.Property(j => j.FileName).HasMaxLength(LeadImportJob.FileNameMaxLength);
            job.Property(j => j.FileHash).HasMaxLength(16);
            job.Property(j => j.Format).HasConversion<string>().HasMaxLength(10);
            job.Property(j => j.Status).HasConversion<string>().HasMaxLength(20);
            job.Property(j => j.Columns).HasJsonColumn();
            job.Property(j => j.Mapping).HasJsonColumn();
            job.HasIndex(j => new { j.TenantId, j.CreatedAt, j.Id });
        });
        modelBuilder.Entity<LeadImportRow>(row =>
        {
            row.ToTable("lead_import_rows");
            row.HasKey(r => new { r.JobId, r.RowNumber });
            row.Property(r => r.Outcome).HasConversion<string>().HasMaxLength(20);
            row.Property(r => r.Reason).HasMaxLength(2_000);
            row.Property(r => r.Values).HasColumnType("jsonb").HasConversion(
                values => System.Text.Json.JsonSerializer.Serialize(values, JsonListColumns.Options),
                json => System.Text.Json.JsonSerializer.Deserialize<List<string?>>(json, JsonListColumns.Options));
            row.HasOne<LeadImportJob>().WithMany().HasForeignKey(r => r.JobId).OnDelete(DeleteBehavior.Cascade);
        });
        return modelBuilder;
    }
}
