using CrmPlatform.Sales.Model;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Forecast;

public static class ForecastModel
{
    public static ModelBuilder AddForecast(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ForecastCategoryOverride>(category =>
        {
            category.ToTable("forecast_category_overrides");
            category.Property(c => c.Category).HasMaxLength(20);
            category.HasIndex(c => c.OpportunityId).IsUnique();
            category.HasOne<Opportunity>().WithMany().HasForeignKey(c => c.OpportunityId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<CloseDateChange>(change =>
        {
            change.ToTable("close_date_changes");
            change.Property(c => c.Id).ValueGeneratedNever();
            change.Property(c => c.ChangedBy).HasMaxLength(200);
            change.HasIndex(c => new { c.OpportunityId, c.CreatedAt });
            change.HasOne<Opportunity>().WithMany().HasForeignKey(c => c.OpportunityId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Quota>(quota =>
        {
            quota.ToTable("quotas");
            quota.Property(q => q.SubjectKind).HasMaxLength(10);
            quota.Property(q => q.SubjectId).HasMaxLength(Quota.SubjectIdMaxLength);
            quota.Property(q => q.Period).HasMaxLength(10);
            quota.Property(q => q.Currency).HasMaxLength(3).IsFixedLength();
            quota.Property(q => q.Amount).HasPrecision(18, 2);
            quota.HasIndex(q => new { q.TenantId, q.SubjectKind, q.SubjectId, q.Period, q.PeriodStart, q.Currency }).IsUnique();
            quota.HasIndex(q => new { q.TenantId, q.CreatedAt, q.Id });
        });
        modelBuilder.Entity<ForecastSnapshot>(snapshot =>
        {
            snapshot.ToTable("forecast_snapshots");
            snapshot.Property(s => s.Id).ValueGeneratedNever();
            // One snapshot per tenant and week, however many instances or restarts try.
            snapshot.HasIndex(s => new { s.TenantId, s.WeekOf }).IsUnique();
            snapshot.HasIndex(s => new { s.TenantId, s.CreatedAt, s.Id });
        });
        modelBuilder.Entity<ForecastSnapshotLine>(line =>
        {
            line.ToTable("forecast_snapshot_lines");
            line.Property(l => l.Id).ValueGeneratedNever();
            line.Property(l => l.OwnerId).HasMaxLength(200);
            line.Property(l => l.Currency).HasMaxLength(3).IsFixedLength();
            line.Property(l => l.Category).HasMaxLength(20);
            line.Property(l => l.Amount).HasPrecision(18, 2);
            line.Property(l => l.WeightedAmount).HasPrecision(18, 2);
            line.HasIndex(l => l.SnapshotId);
            line.HasOne<ForecastSnapshot>().WithMany().HasForeignKey(l => l.SnapshotId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Opportunity>(opportunity =>
        {
            // The forecast's two scans: open deals by expected close date, won deals by when they closed. Each index holds
            // every column its query reads (the id too, for the category overrides), so the scan never visits the table:
            // over 50,000 open deals that took the roll-up's query from ~113 to ~83 ms (docs/benchmarks.md).
            foreach (var fact in new[] { nameof(Opportunity.LastActivityAt), nameof(Opportunity.CloseDatePushes), nameof(Opportunity.HasCurrentCommitment) })
            {
                // Written only by the triggers: never by an insert or update of the application, whatever it tracked.
                opportunity.Property(fact).ValueGeneratedOnAddOrUpdate();
            }
            opportunity.Property(o => o.CloseDatePushes).HasDefaultValue(0);
            opportunity.Property(o => o.HasCurrentCommitment).HasDefaultValue(false);
            opportunity.HasIndex(o => new { o.TenantId, o.ExpectedCloseDate })
                .IncludeProperties(o => new
                {
                    o.Id, o.OwnerId, o.Currency, o.Amount, o.PipelineId, o.Stage, o.StageEnteredAt, o.CreatedAt,
                    o.LastActivityAt, o.CloseDatePushes, o.HasCurrentCommitment,
                })
                .HasFilter("closed_at IS NULL")
                .HasDatabaseName("ix_opportunities_open_by_close_date");
            opportunity.HasIndex(o => new { o.TenantId, o.ClosedAt })
                .IncludeProperties(o => new { o.OwnerId, o.Currency, o.Amount, o.PipelineId, o.Stage })
                .HasFilter("closed_at IS NOT NULL")
                .HasDatabaseName("ix_opportunities_closed_by_date");
        });
        return modelBuilder;
    }
}
