namespace CrmPlatform.Contracts.Marketing.V1;

/// <summary>
/// One step of a marketing journey ran for one person. <see cref="IIntegrationEvent.AggregateId"/> is the enrolment (one
/// stay of a person in a journey) and <see cref="IIntegrationEvent.EventId"/> is the step execution's id, derived from
/// the enrolment and the step, so a step retried after a crash is announced once.
/// </summary>
/// <param name="JourneyId">Marketing's journey.</param>
/// <param name="JourneyVersion">The version of the journey's definition the person entered with (and keeps).</param>
/// <param name="PersonId">A person from Contacts.</param>
/// <param name="StepId">The step's id, as the journey's definition names it.</param>
/// <param name="StepKind"><c>wait</c>, <c>condition</c>, or an action: <c>add-tag</c>, <c>create-task</c>, <c>notify-user</c>.</param>
/// <param name="Outcome">What the step did: <c>waiting</c>, <c>yes</c>, <c>no</c>, <c>requested</c>, <c>skipped</c>.</param>
/// <param name="ExecutedAt">When the step ran.</param>
public sealed record JourneyStepExecuted(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version,
    Guid JourneyId, int JourneyVersion, Guid PersonId, string StepId, string StepKind, string Outcome, DateTime ExecutedAt) : IIntegrationEvent;

/// <summary>
/// Marketing asks Contacts to put a tag on a person (a journey's <c>add-tag</c> step). Contacts adds it, normalized, once
/// per request (its inbox keys on <see cref="IIntegrationEvent.EventId"/>, which is derived from the journey step, so a
/// retried step asks once); a person who has the tag already, is deleted, erased or restricted is left as they are.
/// <see cref="IIntegrationEvent.AggregateId"/> is the person.
/// </summary>
/// <param name="PersonId">A person from Contacts.</param>
/// <param name="Tag">The tag as the journey wrote it (Contacts normalizes it: trimmed, lower case).</param>
/// <param name="RequestedBy">Who asks: <c>journey:{journeyId}</c>.</param>
public sealed record AddPersonTagRequested(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version,
    Guid PersonId, string Tag, string RequestedBy) : IIntegrationEvent;

/// <summary>
/// Marketing asks Sales for a task (a journey's <c>create-task</c> step), assigned to the person's owner in Contacts
/// (or, when the person has none, to <paramref name="FallbackAssigneeId"/>). Sales creates it with
/// <paramref name="TaskId"/> as its id, so a request delivered twice makes one task. <see cref="IIntegrationEvent.AggregateId"/>
/// is the task.
/// </summary>
/// <param name="TaskId">The id the task gets in Sales (chosen by Marketing, derived from the journey step).</param>
/// <param name="ContactId">The person the task is about.</param>
/// <param name="Subject">The task's subject.</param>
/// <param name="DueAt">When the task is due.</param>
/// <param name="Priority"><c>low</c>, <c>normal</c> or <c>high</c>.</param>
/// <param name="AssigneeId">The person's owner as Marketing's copy of the contact has it; null when unknown (Sales then uses its own copy).</param>
/// <param name="FallbackAssigneeId">Who gets the task when the person has no owner (the journey's choice); null: the task is created unassigned.</param>
/// <param name="RequestedBy">Who asks: <c>journey:{journeyId}</c>.</param>
public sealed record SalesTaskRequested(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version,
    Guid TaskId, Guid ContactId, string Subject, DateTime DueAt, string Priority, string? AssigneeId, string? FallbackAssigneeId,
    string RequestedBy) : IIntegrationEvent;

/// <summary>
/// A journey asks to tell a user something about a person (a <c>notify-user</c> step). No service delivers it yet: it is
/// for a notification centre or a chat integration. Once per step (<see cref="IIntegrationEvent.EventId"/> is derived from it).
/// <see cref="IIntegrationEvent.AggregateId"/> is the journey enrolment.
/// </summary>
/// <param name="UserId">The user (Identity's id) to notify.</param>
/// <param name="PersonId">The person the notification is about.</param>
/// <param name="Message">The text the journey wrote.</param>
/// <param name="JourneyId">The journey that asks.</param>
public sealed record UserNotificationRequested(
    Guid EventId, DateTime OccurredAt, Guid TenantId, Guid AggregateId, int Version,
    string UserId, Guid PersonId, string Message, Guid JourneyId) : IIntegrationEvent;
