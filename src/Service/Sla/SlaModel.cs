using CrmPlatform.Persistence;
using CrmPlatform.Service.Sla.Calendars;
using CrmPlatform.Service.Sla.Clocks;
using CrmPlatform.Service.Sla.Entitlements;
using CrmPlatform.Service.Sla.Policies;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CrmPlatform.Service.Sla;

public static class SlaModel
{
    public static ModelBuilder AddSla(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<BusinessCalendar>(calendar =>
        {
            calendar.Property(c => c.Name).HasMaxLength(BusinessCalendar.NameMaxLength);
            calendar.Property(c => c.TimeZone).HasMaxLength(100);
            calendar.Property(c => c.WorkingHours).HasJsonColumn();
            calendar.Property(c => c.Holidays).HasJsonColumn();
            calendar.HasIndex(c => new { c.TenantId, c.Name }).IsUnique();
            calendar.HasIndex(c => c.TenantId).IsUnique().HasFilter("is_default").HasDatabaseName("ix_business_calendars_one_default");
        });

        modelBuilder.Entity<SlaPolicy>(policy =>
        {
            policy.Property(p => p.Name).HasMaxLength(SlaPolicy.NameMaxLength);
            policy.Property(p => p.Targets).HasJsonColumn();
            policy.HasIndex(p => new { p.TenantId, p.Name }).IsUnique();
            policy.HasIndex(p => p.TenantId).IsUnique().HasFilter("is_default").HasDatabaseName("ix_sla_policies_one_default");
            policy.HasOne<BusinessCalendar>().WithMany().HasForeignKey(p => p.CalendarId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<ServiceContract>(contract =>
        {
            contract.Property(c => c.Name).HasMaxLength(ServiceContract.NameMaxLength);
            contract.HasIndex(c => new { c.TenantId, c.OrganizationId, c.ValidFrom });
            contract.HasOne<SlaPolicy>().WithMany().HasForeignKey(c => c.PolicyId).OnDelete(DeleteBehavior.Restrict);
        });

        modelBuilder.Entity<TicketSla>(sla =>
        {
            sla.ToTable("ticket_slas");
            // The ticket's id: tickets own it and hand it in.
            sla.Property(s => s.Id).ValueGeneratedNever();
            sla.Property(s => s.Priority).HasMaxLength(20);
            sla.Property(s => s.AssigneeId).HasMaxLength(200);
            Target(sla, s => s.FirstResponse, "first_response");
            Target(sla, s => s.Resolution, "resolution");
            sla.HasIndex(s => s.TenantId);
        });
        return modelBuilder;
    }

    /// <summary>
    /// A target's columns, and the two partial indexes the sweep's claims scan: open targets by warning instant (not
    /// yet warned) and by due instant (not yet breached). Met, warned or breached targets leave them.
    /// </summary>
    private static void Target(EntityTypeBuilder<TicketSla> sla, System.Linq.Expressions.Expression<Func<TicketSla, SlaTargetClock?>> target, string prefix)
    {
        sla.OwnsOne(target, clock =>
        {
            clock.Property(c => c.TargetSeconds).HasColumnName($"{prefix}_target_seconds");
            clock.Property(c => c.UsedSeconds).HasColumnName($"{prefix}_used_seconds");
            clock.Property(c => c.DueAt).HasColumnName($"{prefix}_due_at");
            clock.Property(c => c.WarnAt).HasColumnName($"{prefix}_warn_at");
            clock.Property(c => c.MetAt).HasColumnName($"{prefix}_met_at");
            clock.Property(c => c.WarnedAt).HasColumnName($"{prefix}_warned_at");
            clock.Property(c => c.BreachedAt).HasColumnName($"{prefix}_breached_at");
            clock.HasIndex(c => c.WarnAt).HasDatabaseName($"ix_ticket_slas_{prefix}_to_warn")
                .HasFilter($"{prefix}_warned_at IS NULL AND {prefix}_breached_at IS NULL AND {prefix}_met_at IS NULL");
            clock.HasIndex(c => c.DueAt).HasDatabaseName($"ix_ticket_slas_{prefix}_to_breach")
                .HasFilter($"{prefix}_breached_at IS NULL AND {prefix}_met_at IS NULL");
        });
        sla.Navigation(target).IsRequired();
    }
}
