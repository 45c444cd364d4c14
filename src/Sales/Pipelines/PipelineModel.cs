using CrmPlatform.Persistence;
using CrmPlatform.Sales.Model;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Pipelines;

public static class PipelineModel
{
    public static ModelBuilder AddPipelines(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Pipeline>(pipeline =>
        {
            pipeline.Property(p => p.Name).HasMaxLength(Pipeline.NameMaxLength);
            pipeline.Property(p => p.Stages).HasJsonColumn();
            pipeline.HasIndex(p => new { p.TenantId, p.Name }).IsUnique();
            pipeline.HasIndex(p => p.TenantId).IsUnique().HasFilter("is_default").HasDatabaseName("ix_pipelines_one_default");
        });

        modelBuilder.Entity<OpportunityStageChange>(change =>
        {
            change.ToTable("opportunity_stage_changes");
            // The model adds entries to a loaded opportunity's history: with its id already set, a generated key would
            // make EF take a new entry for an existing row to update.
            change.Property(c => c.Id).ValueGeneratedNever();
            change.Property(c => c.FromStage).HasMaxLength(PipelineStage.KeyMaxLength);
            change.Property(c => c.Stage).HasMaxLength(PipelineStage.KeyMaxLength);
            change.HasIndex(c => new { c.OpportunityId, c.CreatedAt, c.Id });
            // Refreshing a pipeline's won-deal stage times (won_stage_times, see the migration ForecastWonStageTimes).
            change.HasIndex(c => new { c.TenantId, c.FromPipelineId, c.FromStage })
                .IncludeProperties(c => new { c.OpportunityId, c.SecondsInPreviousStage })
                .HasDatabaseName("ix_opportunity_stage_changes_by_from_stage");
        });

        modelBuilder.Entity<Opportunity>(opportunity =>
        {
            opportunity.Ignore(o => o.EnteredStage);
            opportunity.Property(o => o.LostReason).HasMaxLength(LossDetails.ReasonMaxLength);
            opportunity.Property(o => o.Competitor).HasMaxLength(LossDetails.CompetitorMaxLength);
            opportunity.HasOne<Pipeline>().WithMany().HasForeignKey(o => o.PipelineId).OnDelete(DeleteBehavior.Restrict);
            opportunity.HasMany(o => o.StageHistory).WithOne().HasForeignKey(c => c.OpportunityId).OnDelete(DeleteBehavior.Cascade);
            // The board: one grouped scan of a pipeline's open opportunities, answered from this index alone.
            opportunity.HasIndex(o => new { o.TenantId, o.PipelineId, o.Stage, o.Currency })
                .IncludeProperties(o => new { o.Amount, o.OwnerId })
                .HasFilter("closed_at IS NULL")
                .HasDatabaseName("ix_opportunities_open_by_stage");
        });
        return modelBuilder;
    }
}
