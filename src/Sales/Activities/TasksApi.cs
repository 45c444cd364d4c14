using CrmPlatform.Persistence;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.Sales.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Sales.Activities;

/// <summary><c>assigneeId</c> is a user id, the caller when left out; <c>reminderAt</c> is the due time when left out.</summary>
public sealed record TaskRequest(
    string? Subject, string? Notes, DateTime? DueAt, string? Priority, DateTime? ReminderAt, string? AssigneeId, Guid? ContactId, Guid? OpportunityId, Guid? LeadId = null)
{
    public FieldErrors Validate() => new FieldErrors()
        .Required("subject", Subject, SalesTask.SubjectMaxLength)
        .MaxLength("notes", Notes, SalesTask.NotesMaxLength)
        .When(DueAt is null, "dueAt", "dueAt is required.")
        .When(DueAt is { Kind: not DateTimeKind.Utc }, "dueAt", "dueAt needs a time zone (Z or an offset).")
        .When(ReminderAt is { Kind: not DateTimeKind.Utc }, "reminderAt", "reminderAt needs a time zone (Z or an offset).")
        .When(Priority is not null && !TaskPriorities.All.Contains(Priority), "priority",
            $"priority must be one of: {string.Join(", ", TaskPriorities.All)}.")
        .When(AssigneeId is not null && string.IsNullOrWhiteSpace(AssigneeId), "assigneeId", "assigneeId is a user id; leave it out to assign yourself.")
        .MaxLength("assigneeId", AssigneeId, SalesTask.AssigneeMaxLength)
        .Links(ContactId, OpportunityId, LeadId);

    public void ApplyTo(SalesTask task, string? caller)
    {
        task.Subject = Subject!.Trim();
        task.Notes = string.IsNullOrWhiteSpace(Notes) ? null : Notes;
        task.Priority = Priority ?? TaskPriorities.Normal;
        task.Schedule(DueAt!.Value, ReminderAt);
        // The owner is whoever has to do it, so record scopes show the task to the assignee and their team.
        task.OwnerId = AssigneeId?.Trim() ?? task.OwnerId ?? caller;
        task.ContactId = ContactId;
        task.OpportunityId = OpportunityId;
        task.LeadId = LeadId;
    }
}

public sealed record TaskResponse(
    Guid Id, string Subject, string? Notes, DateTime DueAt, string Priority, string Status, DateTime? CompletedAt,
    DateTime ReminderAt, DateTime? RemindedAt, string? AssigneeId, Guid? ContactId, Guid? OpportunityId, Guid? LeadId,
    DateTime CreatedAt, string? CreatedBy, DateTime UpdatedAt, string? UpdatedBy, int Version)
{
    public static TaskResponse From(SalesTask t) => new(
        t.Id, t.Subject, t.Notes, t.DueAt, t.Priority, t.Status, t.CompletedAt, t.ReminderAt, t.RemindedAt, t.OwnerId,
        t.ContactId, t.OpportunityId, t.LeadId, t.CreatedAt, t.CreatedBy, t.UpdatedAt, t.UpdatedBy, t.Version);
}

/// <summary>
/// <c>/api/v1/tasks</c>: to-dos with a due time, a priority and a reminder (<see cref="TaskReminders"/> publishes
/// <c>TaskDue</c> when it comes). A task belongs to its assignee for record scopes.
/// </summary>
public static class TasksApi
{
    private const string Resource = "task";

    public static RouteGroupBuilder MapTasksApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/tasks").WithTags("Tasks");
        api.MapGet("/", ListTasks).Lists(ListFields).RequirePermission(Permissions.Tasks, Operation.Read);
        api.MapGet("/{id:guid}", GetTask).RequirePermission(Permissions.Tasks, Operation.Read);
        api.MapPost("/", CreateTask).RequirePermission(Permissions.Tasks, Operation.Create);
        api.MapPut("/{id:guid}", UpdateTask).RequirePermission(Permissions.Tasks, Operation.Update);
        api.MapPost("/{id:guid}/complete", CompleteTask).RequirePermission(Permissions.Tasks, Operation.Update);
        api.MapDelete("/{id:guid}", DeleteTask).RequirePermission(Permissions.Tasks, Operation.Delete);
        return api;
    }

    private static readonly ListFields<SalesTask> ListFields = new ListFields<SalesTask>()
        .Filter("status", t => t.Status)
        .Filter("priority", t => t.Priority)
        .Filter("assigneeId", t => t.OwnerId)
        .Filter("contactId", t => t.ContactId)
        .Filter("opportunityId", t => t.OpportunityId)
        .Filter("leadId", t => t.LeadId)
        .Sort("dueAt", t => t.DueAt)
        .Sort("updatedAt", t => t.UpdatedAt);

    public static async Task<Results<Ok<CursorPage<TaskResponse>>, ValidationProblem>> ListTasks(
        SalesDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        if (!ListQuery<SalesTask>.TryParse(request.Query, ListFields, out var list, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await list.ToPageAsync(db.Tasks.AsNoTracking(), TaskResponse.From, cancellationToken));
    }

    public static async Task<Results<Ok<TaskResponse>, ProblemHttpResult>> GetTask(
        Guid id, SalesDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var task = await db.Tasks.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (task is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, task.Version);
        return TypedResults.Ok(TaskResponse.From(task));
    }

    public static async Task<Results<Created<TaskResponse>, ValidationProblem, ProblemHttpResult>> CreateTask(
        TaskRequest request, SalesDbContext db, HttpResponse response, TaskReminderSignal reminders, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (await RecordLinks.CheckAsync(db, request.ContactId, request.OpportunityId, request.LeadId, isNew: true, cancellationToken) is { } unlinkable)
        {
            return unlinkable;
        }
        var task = new SalesTask();
        request.ApplyTo(task, db.CurrentActorId);
        db.Tasks.Add(task);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.IsForeignKeyViolation())
        {
            return RecordLinks.Deleted(request.OpportunityId, request.LeadId);
        }
        reminders.Notify();
        ETags.Set(response, task.Version);
        return TypedResults.Created($"/api/v1/tasks/{task.Id}", TaskResponse.From(task));
    }

    public static async Task<Results<Ok<TaskResponse>, ValidationProblem, ProblemHttpResult>> UpdateTask(
        Guid id, TaskRequest request, SalesDbContext db, HttpContext http, TaskReminderSignal reminders, CancellationToken cancellationToken)
    {
        var errors = request.Validate();
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var (task, unchangeable) = await FindForChangeAsync(db, id, http.Request, cancellationToken);
        if (unchangeable is not null)
        {
            return unchangeable;
        }
        var isNewContact = request.ContactId != task.ContactId;
        if (await RecordLinks.CheckAsync(db, request.ContactId, request.OpportunityId, request.LeadId, isNewContact, cancellationToken) is { } unlinkable)
        {
            return unlinkable;
        }
        request.ApplyTo(task, db.CurrentActorId);
        if (await SaveAsync(db, task, cancellationToken) is { } failed)
        {
            return failed;
        }
        reminders.Notify();
        ETags.Set(http.Response, task.Version);
        return TypedResults.Ok(TaskResponse.From(task));
    }

    /// <summary>Completes an open task (its reminder with it); 409 when it is completed already.</summary>
    public static async Task<Results<Ok<TaskResponse>, ProblemHttpResult>> CompleteTask(
        Guid id, SalesDbContext db, HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (task, unchangeable) = await FindForChangeAsync(db, id, http.Request, cancellationToken);
        if (unchangeable is not null)
        {
            return unchangeable;
        }
        if (!task.Complete(clock.GetUtcNow().UtcDateTime))
        {
            return ApiProblems.Conflict($"The task '{id}' was completed at {task.CompletedAt:O}; a task is completed once.");
        }
        if (await SaveAsync(db, task, cancellationToken) is { } failed)
        {
            return failed;
        }
        ETags.Set(http.Response, task.Version);
        return TypedResults.Ok(TaskResponse.From(task));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteTask(
        Guid id, SalesDbContext db, HttpRequest request, CancellationToken cancellationToken)
    {
        var version = await db.Tasks.Where(t => t.Id == id).Select(t => (int?)t.Version).SingleOrDefaultAsync(cancellationToken);
        if (version is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(request, version.Value, out _) is { } precondition)
        {
            return precondition;
        }
        var deleted = await db.Tasks.Where(t => t.Id == id && t.Version == version).ExecuteDeleteAsync(cancellationToken);
        return deleted == 0 ? ApiProblems.ConcurrentUpdate(Resource, id) : TypedResults.NoContent();
    }

    /// <summary>The task to change, tracked: 404 when the caller cannot see it, 428/412 when If-Match does not name its version.</summary>
    private static async Task<(SalesTask Task, ProblemHttpResult? Problem)> FindForChangeAsync(
        SalesDbContext db, Guid id, HttpRequest request, CancellationToken cancellationToken)
    {
        var task = await db.Tasks.SingleOrDefaultAsync(t => t.Id == id, cancellationToken);
        if (task is null)
        {
            return (null!, ApiProblems.NotFound(Resource, id));
        }
        return (task, ETags.CheckIfMatch(request, task.Version, out _));
    }

    private static async Task<ProblemHttpResult?> SaveAsync(SalesDbContext db, SalesTask task, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, task.Id);
        }
        catch (DbUpdateException ex) when (ex.IsForeignKeyViolation())
        {
            return RecordLinks.Deleted(task.OpportunityId, task.LeadId);
        }
    }
}
