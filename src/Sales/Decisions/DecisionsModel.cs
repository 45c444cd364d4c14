using CrmPlatform.Sales.Model;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Decisions;

public static class DecisionsModel
{
    public static ModelBuilder AddDecisions(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<BuyingCentreMember>(member =>
        {
            member.ToTable("buying_centre_members");
            member.Property(m => m.Role).HasMaxLength(20);
            member.Property(m => m.Influence).HasMaxLength(10);
            member.Property(m => m.Attitude).HasMaxLength(10);
            member.Property(m => m.Notes).HasMaxLength(BuyingCentreMember.NotesMaxLength);
            // A person plays one part in a decision; a second role is a change of the first.
            member.HasIndex(m => new { m.OpportunityId, m.ContactId }).IsUnique();
            member.HasIndex(m => new { m.TenantId, m.CreatedAt, m.Id });
            member.HasIndex(m => m.ContactId);
        });
        modelBuilder.Entity<DecisionCriterion>(criterion =>
        {
            criterion.ToTable("decision_criteria");
            criterion.Property(c => c.Name).HasMaxLength(DecisionCriterion.NameMaxLength);
            criterion.Property(c => c.Importance).HasMaxLength(20);
            criterion.Property(c => c.Standing).HasMaxLength(10);
            criterion.Property(c => c.Notes).HasMaxLength(DecisionCriterion.NotesMaxLength);
            criterion.HasIndex(c => new { c.OpportunityId, c.CreatedAt });
            criterion.HasIndex(c => new { c.TenantId, c.CreatedAt, c.Id });
        });
        modelBuilder.Entity<DealRisk>(risk =>
        {
            risk.ToTable("deal_risks");
            risk.Property(r => r.Kind).HasMaxLength(20);
            risk.Property(r => r.Status).HasMaxLength(20);
            risk.Property(r => r.Description).HasMaxLength(DealRisk.DescriptionMaxLength);
            risk.Property(r => r.Resolution).HasMaxLength(DealRisk.ResolutionMaxLength);
            risk.HasIndex(r => new { r.OpportunityId, r.CreatedAt });
            // "Open objections across opportunities": the report's filter, newest first.
            risk.HasIndex(r => new { r.TenantId, r.Status, r.CreatedAt, r.Id });
        });
        modelBuilder.Entity<CustomerCommitment>(commitment =>
        {
            commitment.ToTable("customer_commitments");
            commitment.Property(c => c.Description).HasMaxLength(CustomerCommitment.DescriptionMaxLength);
            commitment.Property(c => c.Status).HasMaxLength(20);
            commitment.HasIndex(c => new { c.OpportunityId, c.CreatedAt });
            commitment.HasIndex(c => new { c.TenantId, c.CreatedAt, c.Id });
            commitment.HasIndex(c => c.OpportunityId).IsUnique().HasFilter("status = 'current'")
                .HasDatabaseName("ix_customer_commitments_one_current");
        });
        modelBuilder.Entity<DealDecision>(decision =>
        {
            decision.ToTable("deal_decisions");
            decision.Property(d => d.Outcome).HasMaxLength(10);
            decision.Property(d => d.Reason).HasMaxLength(DealDecision.ReasonMaxLength);
            decision.Property(d => d.AlternativeChosen).HasMaxLength(DealDecision.AlternativeMaxLength);
            decision.Property(d => d.DecidedByContactIds).HasColumnType("uuid[]");
            decision.Ignore(d => d.IsComplete);
            decision.HasIndex(d => d.OpportunityId).IsUnique();
            decision.HasIndex(d => new { d.TenantId, d.CreatedAt, d.Id });
            decision.HasIndex(d => new { d.TenantId, d.Outcome, d.AlternativeChosen });
        });
        foreach (var part in new[] { typeof(BuyingCentreMember), typeof(DecisionCriterion), typeof(DealRisk), typeof(CustomerCommitment), typeof(DealDecision) })
        {
            // The decision is part of the deal: deleting the opportunity deletes it.
            modelBuilder.Entity(part).HasOne(typeof(Opportunity)).WithMany().HasForeignKey(nameof(OpportunityPart.OpportunityId)).OnDelete(DeleteBehavior.Cascade);
        }
        return modelBuilder;
    }
}
