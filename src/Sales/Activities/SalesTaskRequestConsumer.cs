using CrmPlatform.Contracts.Marketing.V1;
using CrmPlatform.Persistence.Inbox;
using CrmPlatform.Sales.Data;
using CrmPlatform.ServiceDefaults;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Activities;

/// <summary>
/// A task Marketing asks for (a journey's <c>create-task</c> step), made with the id the request chose, so a request
/// delivered twice, or published twice after a retried step, makes one task. It goes to the person's owner (or the
/// journey's fallback assignee); its reminder is armed like any task's.
/// </summary>
public sealed class SalesTaskRequestConsumer(SalesDbContext db, TenantContext tenant, TaskReminderSignal reminders) : IConsumer<SalesTaskRequested>
{
    public const string ConsumerName = "task-requests";

    public async Task Consume(ConsumeContext<SalesTaskRequested> context)
    {
        var request = context.Message;
        tenant.TenantId = request.TenantId;
        tenant.ActorId = request.RequestedBy;
        var cancellationToken = context.CancellationToken;
        var created = false;
        await db.ProcessOnceAsync(context.MessageId ?? request.EventId, ConsumerName, async () =>
        {
            if (await db.Tasks.IgnoreQueryFilters().AnyAsync(t => t.Id == request.TaskId, cancellationToken))
            {
                return;
            }
            var task = new SalesTask
            {
                Id = request.TaskId,
                Subject = request.Subject.Length > SalesTask.SubjectMaxLength ? request.Subject[..SalesTask.SubjectMaxLength] : request.Subject,
                Priority = TaskPriorities.All.Contains(request.Priority) ? request.Priority : TaskPriorities.Normal,
                ContactId = request.ContactId,
                OwnerId = request.AssigneeId ?? request.FallbackAssigneeId,
            };
            task.Schedule(request.DueAt, null);
            db.Tasks.Add(task);
            created = true;
        }, cancellationToken);
        if (created)
        {
            reminders.Notify();
        }
    }

    public static void Register(IBusRegistrationConfigurator bus, string serviceName) =>
        bus.AddConsumer<SalesTaskRequestConsumer>().Endpoint(endpoint => endpoint.Name = $"{serviceName}-{ConsumerName}");
}
