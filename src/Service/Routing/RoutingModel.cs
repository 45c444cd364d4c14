using CrmPlatform.Service.Tickets;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Service.Routing;

public static class RoutingModel
{
    public static ModelBuilder AddRouting(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<SupportGroup>(group =>
        {
            group.ToTable("support_groups");
            group.Property(g => g.Name).HasMaxLength(SupportGroup.NameMaxLength);
            group.Property(g => g.Description).HasMaxLength(2_000);
            group.Property(g => g.ManagerId).HasMaxLength(AgentProfile.UserIdMaxLength);
            group.Property(g => g.ManagerEmail).HasMaxLength(320);
            group.HasIndex(g => new { g.TenantId, g.CreatedAt, g.Id });
        });
        modelBuilder.Entity<AgentProfile>(agent =>
        {
            agent.ToTable("agent_profiles");
            agent.Property(a => a.UserId).HasMaxLength(AgentProfile.UserIdMaxLength);
            agent.Property(a => a.Availability).HasMaxLength(20);
            agent.HasIndex(a => new { a.TenantId, a.UserId }).IsUnique();
        });
        modelBuilder.Entity<RoutingRule>(rule =>
        {
            rule.ToTable("routing_rules");
            rule.Property(r => r.Name).HasMaxLength(RoutingRule.NameMaxLength);
            rule.Property(r => r.Method).HasMaxLength(20);
            rule.HasOne<SupportGroup>().WithMany().HasForeignKey(r => r.TargetGroupId).OnDelete(DeleteBehavior.Restrict);
            rule.HasIndex(r => new { r.TenantId, r.Position });
        });
        modelBuilder.Entity<TicketAssignment>(assignment =>
        {
            assignment.ToTable("ticket_assignments");
            assignment.Property(a => a.AssigneeId).HasMaxLength(200);
            assignment.Property(a => a.PreviousAssigneeId).HasMaxLength(200);
            assignment.Property(a => a.Reason).HasMaxLength(1_000);
            assignment.Property(a => a.Trigger).HasMaxLength(20);
            assignment.Property(a => a.AssignedBy).HasMaxLength(200);
            assignment.HasOne<Ticket>().WithMany().HasForeignKey(a => a.TicketId).OnDelete(DeleteBehavior.Cascade);
            assignment.HasIndex(a => new { a.TicketId, a.CreatedAt });
        });
        return modelBuilder;
    }
}
