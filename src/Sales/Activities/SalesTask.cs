using CrmPlatform.Contracts.Sales.V1;
using CrmPlatform.Persistence.Tenancy;

namespace CrmPlatform.Sales.Activities;

/// <summary>
/// Something a user has to do by a time. The owner is the assignee, so record scopes show a task to whoever has to do
/// it and their team. The reminder is armed while the task is open and its reminder time has not been reminded of yet
/// (<see cref="RemindedAt"/> holds the reminder time last published), so changing the reminder time re-arms it and the
/// database alone knows what is due: nothing is lost when Sales restarts.
/// </summary>
public sealed class SalesTask : AuditedEntity
{
    public const int SubjectMaxLength = 200;
    public const int NotesMaxLength = 10_000;
    public const int AssigneeMaxLength = 200;

    public string Subject { get; set; } = "";
    public string? Notes { get; set; }
    public DateTime DueAt { get; private set; }
    public string Priority { get; set; } = TaskPriorities.Normal;
    public string Status { get; private set; } = TaskStatuses.Open;
    public DateTime? CompletedAt { get; private set; }
    public DateTime ReminderAt { get; private set; }
    /// <summary>The reminder time a <see cref="TaskDue"/> was last published for; null when none was.</summary>
    public DateTime? RemindedAt { get; private set; }
    /// <summary>A person or organization of the contact directory.</summary>
    public Guid? ContactId { get; set; }
    public Guid? OpportunityId { get; set; }
    /// <summary>A lead of Sales, before (and after) it is converted.</summary>
    public Guid? LeadId { get; set; }

    /// <summary>Sets the due time and the reminder (the due time unless given); a new reminder time is armed again.</summary>
    public void Schedule(DateTime dueAt, DateTime? reminderAt)
    {
        DueAt = dueAt;
        ReminderAt = reminderAt ?? dueAt;
    }

    /// <summary>False when it was completed already (completing is done once; the first completion time stays).</summary>
    public bool Complete(DateTime now)
    {
        if (Status == TaskStatuses.Completed)
        {
            return false;
        }
        Status = TaskStatuses.Completed;
        CompletedAt = now;
        return true;
    }

    public TaskDue Due(DateTime now) => new(
        Guid.CreateVersion7(), now, TenantId, Id, Version, Subject, DueAt, ReminderAt, Priority, OwnerId, ContactId, OpportunityId, LeadId);

    /// <summary>GDPR erasure: the text goes, the schedule stays.</summary>
    public void EraseFreeText()
    {
        Subject = Activity.ErasedText;
        Notes = null;
    }
}

public static class TaskPriorities
{
    public const string Low = "low";
    public const string Normal = "normal";
    public const string High = "high";

    public static readonly IReadOnlyList<string> All = [Low, Normal, High];
}

public static class TaskStatuses
{
    public const string Open = "open";
    public const string Completed = "completed";

    public static readonly IReadOnlyList<string> All = [Open, Completed];
}
