using CrmPlatform.Persistence.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Service.Tickets.Escalation;

/// <summary>
/// One SLA breach escalated (table <c>sla_escalations</c>): what was done with the ticket and why, and who is to be
/// told. At most one per ticket and target (a unique index): the sweep claims each breach once, and this holds it.
/// </summary>
public sealed class TicketEscalation : Entity
{
    public Guid TicketId { get; set; }
    /// <summary><c>first-response</c> or <c>resolution</c>.</summary>
    public string Target { get; set; } = "";
    public DateTime DueAt { get; set; }
    public Guid PolicyId { get; set; }
    public string Priority { get; set; } = "";
    public Guid? GroupId { get; set; }
    public string? PreviousAssigneeId { get; set; }
    public string? AssigneeId { get; set; }
    /// <summary><see cref="EscalationActions"/>.</summary>
    public string Action { get; set; } = EscalationActions.Kept;
    public string Reason { get; set; } = "";
    public string? ManagerId { get; set; }
    public string? ManagerEmail { get; set; }
    /// <summary><see cref="ManagerNotifications"/>: whether the manager was emailed.</summary>
    public string Notification { get; set; } = ManagerNotifications.NoManager;
}

public static class EscalationActions
{
    /// <summary>Given to another available member of the ticket's group.</summary>
    public const string Reassigned = "reassigned";
    /// <summary>Taken from an away assignee and left in the group's queue: nobody in the group is available.</summary>
    public const string Queued = "queued";
    /// <summary>Left with its available assignee (or without a group to reassign within); only the manager is told.</summary>
    public const string Kept = "kept";
    /// <summary>Someone was changing the ticket at that very moment; it is being worked, so only the manager is told.</summary>
    public const string Busy = "busy";
}

public static class ManagerNotifications
{
    /// <summary>The manager's email is in the email outbox (sent with it, or after it once the mail server answers).</summary>
    public const string Queued = "queued";
    /// <summary>The group names a manager but no manager address: the service knows no user's address, so nobody is emailed.</summary>
    public const string NoAddress = "no-address";
    public const string NoManager = "no-manager";
}

public static class EscalationModel
{
    public static ModelBuilder AddSlaEscalations(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<TicketEscalation>(escalation =>
        {
            escalation.ToTable("sla_escalations");
            escalation.Property(e => e.Target).HasMaxLength(20);
            escalation.Property(e => e.Priority).HasMaxLength(20);
            escalation.Property(e => e.PreviousAssigneeId).HasMaxLength(200);
            escalation.Property(e => e.AssigneeId).HasMaxLength(200);
            escalation.Property(e => e.Action).HasMaxLength(20);
            escalation.Property(e => e.Reason).HasMaxLength(1_000);
            escalation.Property(e => e.ManagerId).HasMaxLength(200);
            escalation.Property(e => e.ManagerEmail).HasMaxLength(320);
            escalation.Property(e => e.Notification).HasMaxLength(20);
            escalation.HasOne<Ticket>().WithMany().HasForeignKey(e => e.TicketId).OnDelete(DeleteBehavior.Cascade);
            escalation.HasIndex(e => new { e.TicketId, e.Target }).IsUnique();
        });
        return modelBuilder;
    }
}
