using CrmPlatform.Persistence;
using CrmPlatform.Sales.Leads;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Assignment;

public static class AssignmentModel
{
    public static ModelBuilder AddAssignmentRules(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<AssignmentRule>(rule =>
        {
            rule.ToTable("assignment_rules");
            rule.Property(r => r.Name).HasMaxLength(AssignmentRule.NameMaxLength);
            rule.Property(r => r.TargetUserId).HasMaxLength(200);
            rule.Property(r => r.Method).HasMaxLength(20);
            rule.HasIndex(r => new { r.TenantId, r.Position });
            rule.HasIndex(r => new { r.TenantId, r.CreatedAt, r.Id });
        });
        modelBuilder.Entity<LeadAssignment>(assignment =>
        {
            assignment.ToTable("lead_assignments");
            assignment.HasKey(a => a.Id);
            assignment.Property(a => a.PreviousOwnerId).HasMaxLength(200);
            assignment.Property(a => a.OwnerId).HasMaxLength(200);
            assignment.Property(a => a.Reason).HasMaxLength(1_000);
            assignment.Property(a => a.Trigger).HasMaxLength(20);
            assignment.Property(a => a.AssignedBy).HasMaxLength(200);
            // The history goes with its lead.
            assignment.HasOne<Lead>().WithMany().HasForeignKey(a => a.LeadId).OnDelete(DeleteBehavior.Cascade);
            assignment.HasIndex(a => new { a.LeadId, a.AssignedAt });
        });
        return modelBuilder;
    }
}
