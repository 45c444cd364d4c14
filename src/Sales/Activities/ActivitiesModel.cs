using CrmPlatform.Sales.Leads;
using CrmPlatform.Sales.Model;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Activities;

public static class ActivitiesModel
{
    public static ModelBuilder AddActivities(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Activity>(activity =>
        {
            activity.ToTable("activities");
            activity.Property(a => a.Kind).HasMaxLength(20);
            activity.Property(a => a.Subject).HasMaxLength(Activity.SubjectMaxLength);
            activity.Property(a => a.Body).HasMaxLength(Activity.BodyMaxLength);
            activity.Property(a => a.Outcome).HasMaxLength(Activity.OutcomeMaxLength);
            // The history outlives the deal: deleting an opportunity unlinks its activities and tasks, keeps them.
            activity.HasOne<Opportunity>().WithMany().HasForeignKey(a => a.OpportunityId).OnDelete(DeleteBehavior.SetNull);
            activity.HasOne<Lead>().WithMany().HasForeignKey(a => a.LeadId).OnDelete(DeleteBehavior.SetNull);
            activity.HasIndex(a => new { a.LeadId, a.OccurredAt });
            activity.HasIndex(a => new { a.TenantId, a.CreatedAt, a.Id });
            activity.HasIndex(a => new { a.ContactId, a.OccurredAt });
            activity.HasIndex(a => new { a.OpportunityId, a.OccurredAt });
        });
        modelBuilder.Entity<SalesTask>(task =>
        {
            task.ToTable("tasks");
            task.Property(t => t.Subject).HasMaxLength(SalesTask.SubjectMaxLength);
            task.Property(t => t.Notes).HasMaxLength(SalesTask.NotesMaxLength);
            task.Property(t => t.Priority).HasMaxLength(10);
            task.Property(t => t.Status).HasMaxLength(10);
            task.HasOne<Opportunity>().WithMany().HasForeignKey(t => t.OpportunityId).OnDelete(DeleteBehavior.SetNull);
            task.HasOne<Lead>().WithMany().HasForeignKey(t => t.LeadId).OnDelete(DeleteBehavior.SetNull);
            task.HasIndex(t => t.LeadId);
            task.HasIndex(t => new { t.TenantId, t.CreatedAt, t.Id });
            task.HasIndex(t => t.ContactId);
            task.HasIndex(t => t.OpportunityId);
            // The reminder worker's question, across tenants: which open tasks' reminders are still armed, soonest first.
            task.HasIndex(t => t.ReminderAt).HasFilter("status = 'open'").HasDatabaseName("ix_tasks_open_reminder_at");
        });
        return modelBuilder;
    }
}
