using System.Text.Json;
using CrmPlatform.Contracts.Marketing.V1;
using CrmPlatform.Marketing.Data;
using CrmPlatform.ServiceDefaults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Marketing.Journeys;

/// <summary>What an action step runs with: the enrolment, and the id its requests carry (derived from the step, so a retried step asks once).</summary>
public sealed record JourneyActionContext(
    MarketingDbContext Db, IServiceProvider Services, Journey Journey, JourneyEnrolment Enrolment, Guid ExecutionId, DateTime Now)
{
    /// <summary>The id of the <paramref name="n"/>th request the step publishes (its outbox event id).</summary>
    public Guid RequestId(int n = 0) => DerivedIds.From(ExecutionId, "request", n);

    public string RequestedBy => $"journey:{Journey.Id}";

    /// <summary>The id of the step being run.</summary>
    public string StepId { get; init; } = "";
}

/// <summary>
/// An action a journey step can take. An action validates its own settings (naming the path of each mistake) and runs
/// inside the step's transaction: whatever it asks of other services it adds to the outbox with
/// <see cref="JourneyActionContext.RequestId"/>, so it commits with the step or not at all and is never asked twice.
/// A new action is one class registered with <see cref="JourneyActions.Add{TAction}"/>.
/// </summary>
public interface IJourneyAction
{
    /// <summary>The step's <c>kind</c>.</summary>
    string Kind { get; }

    /// <summary>The step's settings, or null with the mistakes added to <paramref name="errors"/>.</summary>
    object? Parse(JsonElement step, string path, FieldErrors errors);

    /// <summary>Runs the step; returns its outcome (<c>requested</c>, <c>skipped</c>) and a detail for the person's path.</summary>
    Task<(string Outcome, string? Detail)> RunAsync(JourneyActionContext context, object settings, CancellationToken cancellationToken);
}

/// <summary>The actions journeys know, by kind.</summary>
public sealed class JourneyActions(IEnumerable<IJourneyAction> actions)
{
    private readonly Dictionary<string, IJourneyAction> _byKind = actions.ToDictionary(a => a.Kind, StringComparer.Ordinal);

    public IEnumerable<string> Kinds => _byKind.Keys;

    public IJourneyAction? Find(string kind) => _byKind.GetValueOrDefault(kind);

    public static void Add<TAction>(IServiceCollection services) where TAction : class, IJourneyAction =>
        services.AddSingleton<IJourneyAction, TAction>();
}

/// <summary><c>{ "kind": "add-tag", "tag": "nurtured" }</c>: Contacts puts the tag on the person (<see cref="AddPersonTagRequested"/>).</summary>
public sealed class AddTagAction : IJourneyAction
{
    private sealed record Settings(string Tag);

    public string Kind => "add-tag";

    public object? Parse(JsonElement step, string path, FieldErrors errors)
    {
        var tag = JourneyDefinition.Text(step, "tag")?.Trim();
        // Contacts' limit on a tag.
        if (tag is not { Length: > 0 and <= 50 })
        {
            errors.Add($"{path}.tag", "tag is a text of 1 to 50 characters.");
            return null;
        }
        return new Settings(tag);
    }

    public Task<(string Outcome, string? Detail)> RunAsync(JourneyActionContext context, object settings, CancellationToken cancellationToken)
    {
        var tag = ((Settings)settings).Tag;
        var enrolment = context.Enrolment;
        context.Db.AddEvent(new AddPersonTagRequested(context.RequestId(), context.Now, enrolment.TenantId, enrolment.PersonId, 1,
            enrolment.PersonId, tag, context.RequestedBy));
        return Task.FromResult<(string, string?)>(("requested", $"tag '{tag}'"));
    }
}

/// <summary>
/// <c>{ "kind": "create-task", "subject": "Call them", "dueInDays": 2, "priority": "high", "fallbackAssigneeId": "…" }</c>:
/// Sales creates a task for the person's owner (<see cref="SalesTaskRequested"/>).
/// </summary>
public sealed class CreateTaskAction : IJourneyAction
{
    private sealed record Settings(string Subject, int DueInDays, string Priority, string? FallbackAssigneeId);

    private static readonly string[] Priorities = ["low", "normal", "high"];

    public string Kind => "create-task";

    public object? Parse(JsonElement step, string path, FieldErrors errors)
    {
        var subject = JourneyDefinition.Text(step, "subject")?.Trim();
        var before = errors.Count;
        errors.When(subject is not { Length: > 0 and <= 200 }, $"{path}.subject", "subject is a text of 1 to 200 characters.");
        var dueInDays = 1;
        if (step.TryGetProperty("dueInDays", out var due) && due.ValueKind != JsonValueKind.Null
            && !(due.ValueKind == JsonValueKind.Number && due.TryGetInt32(out dueInDays) && dueInDays is >= 0 and <= 365))
        {
            errors.Add($"{path}.dueInDays", "dueInDays is a whole number from 0 to 365.");
        }
        var priority = JourneyDefinition.Text(step, "priority") ?? "normal";
        errors.When(!Priorities.Contains(priority), $"{path}.priority", $"priority is one of: {string.Join(", ", Priorities)}.");
        var fallback = JourneyDefinition.Text(step, "fallbackAssigneeId");
        errors.When(fallback is { Length: > 200 }, $"{path}.fallbackAssigneeId", "fallbackAssigneeId is a user id of at most 200 characters.");
        return errors.Count == before ? new Settings(subject!, dueInDays, priority, fallback) : null;
    }

    public async Task<(string Outcome, string? Detail)> RunAsync(JourneyActionContext context, object settings, CancellationToken cancellationToken)
    {
        var task = (Settings)settings;
        var enrolment = context.Enrolment;
        var owner = await context.Db.DirectoryContacts.AsNoTracking().Where(c => c.Id == enrolment.PersonId)
            .Select(c => c.OwnerId).SingleOrDefaultAsync(cancellationToken);
        var taskId = context.RequestId();
        context.Db.AddEvent(new SalesTaskRequested(taskId, context.Now, enrolment.TenantId, taskId, 1, taskId, enrolment.PersonId, task.Subject,
            context.Now.AddDays(task.DueInDays), task.Priority, owner, task.FallbackAssigneeId, context.RequestedBy));
        return ("requested", $"task {taskId} for {owner ?? task.FallbackAssigneeId ?? "nobody"}");
    }
}

/// <summary><c>{ "kind": "notify-user", "userId": "…", "message": "…" }</c>: a <see cref="UserNotificationRequested"/> for a notification service.</summary>
public sealed class NotifyUserAction : IJourneyAction
{
    private sealed record Settings(string UserId, string Message);

    public string Kind => "notify-user";

    public object? Parse(JsonElement step, string path, FieldErrors errors)
    {
        var before = errors.Count;
        var user = JourneyDefinition.Text(step, "userId");
        var message = JourneyDefinition.Text(step, "message");
        errors.When(user is not { Length: <= 200 }, $"{path}.userId", "userId is a user id of 1 to 200 characters.");
        errors.When(message is not { Length: <= 2000 }, $"{path}.message", "message is a text of 1 to 2000 characters.");
        return errors.Count == before ? new Settings(user!, message!) : null;
    }

    public Task<(string Outcome, string? Detail)> RunAsync(JourneyActionContext context, object settings, CancellationToken cancellationToken)
    {
        var notify = (Settings)settings;
        var enrolment = context.Enrolment;
        context.Db.AddEvent(new UserNotificationRequested(context.RequestId(), context.Now, enrolment.TenantId, enrolment.Id, enrolment.StepsExecuted + 1,
            notify.UserId, enrolment.PersonId, notify.Message, context.Journey.Id));
        return Task.FromResult<(string, string?)>(("requested", $"user {notify.UserId}"));
    }
}
