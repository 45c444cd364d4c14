using System.Text.Json;
using CrmPlatform.Persistence;
using CrmPlatform.Sales.Leads;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace CrmPlatform.Sales.Scoring;

public static class ScoringModel
{
    public static ModelBuilder AddLeadScoring(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Lead>(lead =>
        {
            lead.Property(l => l.AssignmentReason).HasMaxLength(1_000);
            lead.Property(l => l.ScoreMethod).HasMaxLength(10);
            lead.Property(l => l.ScoreContributions).HasJsonColumn();
            // No index on the score columns, and room left in each page: rescoring then updates rows in place (HOT)
            // without touching the table's indexes.
            lead.HasStorageParameter("fillfactor", 80);
        });
        modelBuilder.Entity<ScoringSettings>(settings =>
        {
            settings.ToTable("scoring_settings");
            settings.HasIndex(s => s.TenantId).IsUnique();
            settings.Property(s => s.Weights).HasColumnType("jsonb").HasConversion(
                weights => JsonSerializer.Serialize(weights, JsonListColumns.Options),
                json => JsonSerializer.Deserialize<ScoringWeights>(json, JsonListColumns.Options) ?? ScoringWeights.Defaults,
                new ValueComparer<ScoringWeights>(
                    (left, right) => JsonSerializer.Serialize(left, JsonListColumns.Options) == JsonSerializer.Serialize(right, JsonListColumns.Options),
                    weights => JsonSerializer.Serialize(weights, JsonListColumns.Options).GetHashCode(StringComparison.Ordinal),
                    weights => weights));
        });
        modelBuilder.Entity<LeadEngagement>(engagement =>
        {
            engagement.ToTable("lead_engagements");
            engagement.HasKey(e => e.Id);
            engagement.Property(e => e.Kind).HasMaxLength(20);
            engagement.HasOne<Lead>().WithMany().HasForeignKey(e => e.LeadId).OnDelete(DeleteBehavior.Cascade);
            // One engagement per lead and source: a redelivered event or a re-logged activity counts once.
            engagement.HasIndex(e => new { e.LeadId, e.SourceId }).IsUnique();
            engagement.HasIndex(e => e.TenantId);
        });
        modelBuilder.Entity<LeadScoringModel>(model =>
        {
            model.ToTable("lead_scoring_models");
            model.HasKey(m => m.Id);
            model.Property(m => m.TrainedBy).HasMaxLength(200);
            model.Property(m => m.Features).HasColumnType("jsonb").HasConversion(
                space => JsonSerializer.Serialize(space, JsonListColumns.Options),
                json => JsonSerializer.Deserialize<LeadFeatureSpace>(json, JsonListColumns.Options)!);
            model.HasIndex(m => new { m.TenantId, m.TrainedAt });
        });
        modelBuilder.Entity<ScoringSchedule>(schedule =>
        {
            schedule.ToTable("scoring_schedules");
            schedule.HasKey(s => s.TenantId);
            schedule.HasIndex(s => s.NextRunAt);
        });
        return modelBuilder;
    }
}
