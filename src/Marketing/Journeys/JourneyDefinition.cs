using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml;
using CrmPlatform.Marketing.Segments;
using CrmPlatform.ServiceDefaults;

namespace CrmPlatform.Marketing.Journeys;

public static class TriggerKinds
{
    public const string SegmentEntry = "segment-entry";
    public const string FormSubmission = "form-submission";
    public const string Event = "event";

    public static readonly IReadOnlyList<string> All = [SegmentEntry, FormSubmission, Event];

    /// <summary>The events (other services') a journey may start on.</summary>
    public static readonly IReadOnlyList<string> Events = ["OpportunityWon", "TicketSolved"];
}

public static class StepKinds
{
    public const string Wait = "wait";
    public const string Condition = "condition";
}

public static class ReentryModes
{
    public const string Never = "never";
    public const string Always = "always";
    public const string After = "after";

    public static readonly IReadOnlyList<string> All = [Never, Always, After];
}

public sealed record JourneyTrigger(string Kind, Guid? RefId, string? Event);

/// <summary>
/// A step: <c>wait</c> (<see cref="Duration"/> or <see cref="Until"/>, then <see cref="Next"/>), <c>condition</c>
/// (<see cref="Rule"/>, then <see cref="Yes"/> or <see cref="No"/>) or an action (<see cref="Action"/> with the settings
/// it parsed, then <see cref="Next"/>). A null next step ends the journey.
/// </summary>
public sealed record JourneyStep(
    string Id, string Kind, string? Next, TimeSpan? Duration = null, DateTime? Until = null,
    RuleNode? Rule = null, string? Yes = null, string? No = null, IJourneyAction? Action = null, object? Settings = null);

/// <summary>A person leaves early when they left the trigger's segment, or when <see cref="Rule"/> matches them.</summary>
public sealed record JourneyExit(bool LeftSegment, RuleNode? Rule);

public sealed record JourneyReentry(string Mode, int Days);

/// <summary>
/// A journey's definition, as JSON:
/// <code>
/// { "trigger": { "kind": "segment-entry", "segmentId": "…" },   // or form-submission + formId, or event + event
///   "start": "wait",
///   "steps": [ { "id": "wait", "kind": "wait", "duration": "P2D", "next": "check" },
///              { "id": "check", "kind": "condition", "rule": { segment rule }, "yes": "tag", "no": null },
///              { "id": "tag", "kind": "add-tag", "tag": "nurtured", "next": null } ],
///   "exit": { "leftSegment": true, "rule": { segment rule } },
///   "reentry": { "mode": "never" | "always" | "after", "days": 30 } }
/// </code>
/// Steps form a graph without cycles (each step runs at most once per stay, which is what makes its id deterministic).
/// Conditions are segment rules (<see cref="SegmentRules"/>) evaluated for the one person.
/// </summary>
public sealed partial record JourneyDefinition(
    JourneyTrigger Trigger, string Start, IReadOnlyDictionary<string, JourneyStep> Steps, JourneyExit Exit, JourneyReentry Reentry)
{
    public const int MaxSteps = 50;
    private static readonly TimeSpan MaxWait = TimeSpan.FromDays(366);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex StepId();

    /// <summary>The validated definition, or null with every mistake in <paramref name="errors"/> keyed by its path.</summary>
    public static JourneyDefinition? Parse(JsonElement json, string path, JourneyActions actions, FieldErrors errors)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path, "The definition is an object with trigger, start, steps, and optionally exit and reentry.");
            return null;
        }
        var trigger = ParseTrigger(json, $"{path}.trigger", errors);
        var steps = new Dictionary<string, JourneyStep>(StringComparer.Ordinal);
        if (!json.TryGetProperty("steps", out var stepsJson) || stepsJson.ValueKind != JsonValueKind.Array || stepsJson.GetArrayLength() is 0 or > MaxSteps)
        {
            errors.Add($"{path}.steps", $"steps is an array of 1 to {MaxSteps} steps.");
        }
        else
        {
            var index = 0;
            foreach (var stepJson in stepsJson.EnumerateArray())
            {
                var stepPath = $"{path}.steps[{index++}]";
                if (ParseStep(stepJson, stepPath, actions, errors) is { } step && !steps.TryAdd(step.Id, step))
                {
                    errors.Add($"{stepPath}.id", $"Another step has the id '{step.Id}'.");
                }
            }
            if (errors.IsValid)
            {
                CheckLinks(stepsJson, path, steps, errors);
            }
        }
        var start = Text(json, "start");
        if (start is null || (errors.IsValid && !steps.ContainsKey(start)))
        {
            errors.Add($"{path}.start", "start names the first step (a step's id).");
        }
        var exit = ParseExit(json, $"{path}.exit", trigger, errors);
        var reentry = ParseReentry(json, $"{path}.reentry", errors);
        if (errors.IsValid && HasCycle(start!, steps))
        {
            errors.Add($"{path}.steps", "The steps form a cycle: a journey's steps lead forward only.");
        }
        return errors.IsValid ? new JourneyDefinition(trigger!, start!, steps, exit!, reentry!) : null;
    }

    private static JourneyTrigger? ParseTrigger(JsonElement json, string path, FieldErrors errors)
    {
        if (!json.TryGetProperty("trigger", out var trigger) || trigger.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path, "trigger is required: { \"kind\": \"segment-entry\", \"segmentId\" }, { \"kind\": \"form-submission\", \"formId\" } or { \"kind\": \"event\", \"event\" }.");
            return null;
        }
        switch (Text(trigger, "kind"))
        {
            case TriggerKinds.SegmentEntry:
                return Id(trigger, "segmentId", path, errors) is { } segment ? new JourneyTrigger(TriggerKinds.SegmentEntry, segment, null) : null;
            case TriggerKinds.FormSubmission:
                return Id(trigger, "formId", path, errors) is { } form ? new JourneyTrigger(TriggerKinds.FormSubmission, form, null) : null;
            case TriggerKinds.Event:
                var name = Text(trigger, "event");
                if (name is null || !TriggerKinds.Events.Contains(name))
                {
                    errors.Add($"{path}.event", $"event is one of: {string.Join(", ", TriggerKinds.Events)}.");
                    return null;
                }
                return new JourneyTrigger(TriggerKinds.Event, null, name);
            default:
                errors.Add($"{path}.kind", $"kind is one of: {string.Join(", ", TriggerKinds.All)}.");
                return null;
        }
    }

    private static JourneyStep? ParseStep(JsonElement json, string path, JourneyActions actions, FieldErrors errors)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path, "A step is an object with id and kind.");
            return null;
        }
        var id = Text(json, "id");
        if (id is null || !StepId().IsMatch(id))
        {
            errors.Add($"{path}.id", "id is 1 to 64 letters, digits, '_' or '-'.");
            return null;
        }
        var kind = Text(json, "kind");
        var next = Text(json, "next");
        switch (kind)
        {
            case StepKinds.Wait:
                return ParseWait(json, path, id, next, errors);
            case StepKinds.Condition:
                if (!json.TryGetProperty("rule", out var ruleJson))
                {
                    errors.Add($"{path}.rule", "A condition needs a rule (as a segment's rules).");
                    return null;
                }
                return SegmentRules.Parse(ruleJson, $"{path}.rule", errors) is { } rule
                    ? new JourneyStep(id, kind, null, Rule: rule, Yes: Text(json, "yes"), No: Text(json, "no"))
                    : null;
            default:
                if (kind is not null && actions.Find(kind) is { } action)
                {
                    var before = errors.Count;
                    var settings = action.Parse(json, path, errors);
                    return errors.Count == before ? new JourneyStep(id, kind, next, Action: action, Settings: settings) : null;
                }
                errors.Add($"{path}.kind", $"kind is one of: {string.Join(", ", new[] { StepKinds.Wait, StepKinds.Condition }.Concat(actions.Kinds))}.");
                return null;
        }
    }

    private static JourneyStep? ParseWait(JsonElement json, string path, string id, string? next, FieldErrors errors)
    {
        var duration = Text(json, "duration");
        var untilText = Text(json, "until");
        if ((duration is null) == (untilText is null))
        {
            errors.Add(path, "A wait has either duration (ISO 8601, such as P2D or PT1H) or until (a UTC date and time).");
            return null;
        }
        if (duration is not null)
        {
            TimeSpan span;
            try
            {
                span = XmlConvert.ToTimeSpan(duration);
            }
            catch (FormatException)
            {
                errors.Add($"{path}.duration", "duration is an ISO 8601 duration such as P2D, PT1H or PT30S.");
                return null;
            }
            if (span <= TimeSpan.Zero || span > MaxWait)
            {
                errors.Add($"{path}.duration", "duration is more than zero and at most 366 days.");
                return null;
            }
            return new JourneyStep(id, StepKinds.Wait, next, Duration: span);
        }
        if (!DateTimeOffset.TryParse(untilText, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var until)
            || !untilText!.Contains('T', StringComparison.Ordinal))
        {
            errors.Add($"{path}.until", "until is a date and time with its offset, such as 2027-01-15T09:00:00Z.");
            return null;
        }
        return new JourneyStep(id, StepKinds.Wait, next, Until: until.UtcDateTime);
    }

    private static void CheckLinks(JsonElement stepsJson, string path, Dictionary<string, JourneyStep> steps, FieldErrors errors)
    {
        var index = 0;
        foreach (var stepJson in stepsJson.EnumerateArray())
        {
            var stepPath = $"{path}.steps[{index++}]";
            foreach (var link in new[] { "next", "yes", "no" })
            {
                if (stepJson.ValueKind == JsonValueKind.Object && stepJson.TryGetProperty(link, out var target)
                    && target.ValueKind != JsonValueKind.Null
                    && (target.ValueKind != JsonValueKind.String || !steps.ContainsKey(target.GetString()!)))
                {
                    errors.Add($"{stepPath}.{link}", $"{link} names another step's id, or is null to end the journey.");
                }
            }
        }
    }

    private static bool HasCycle(string start, IReadOnlyDictionary<string, JourneyStep> steps)
    {
        var done = new HashSet<string>();
        var onPath = new HashSet<string>();
        bool Visit(string? id)
        {
            if (id is null || done.Contains(id))
            {
                return false;
            }
            if (!onPath.Add(id))
            {
                return true;
            }
            var step = steps[id];
            var cycle = Visit(step.Next) || Visit(step.Yes) || Visit(step.No);
            onPath.Remove(id);
            done.Add(id);
            return cycle;
        }
        return steps.Keys.Prepend(start).Any(Visit);
    }

    private static JourneyExit? ParseExit(JsonElement json, string path, JourneyTrigger? trigger, FieldErrors errors)
    {
        if (!json.TryGetProperty("exit", out var exit) || exit.ValueKind == JsonValueKind.Null)
        {
            return new JourneyExit(false, null);
        }
        if (exit.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path, "exit is an object: { \"leftSegment\": true, \"rule\": { … } }.");
            return null;
        }
        var leftSegment = exit.TryGetProperty("leftSegment", out var left) && left.ValueKind == JsonValueKind.True;
        if (leftSegment && trigger is not null && trigger.Kind != TriggerKinds.SegmentEntry)
        {
            errors.Add($"{path}.leftSegment", "leftSegment applies to a journey triggered by a segment entry.");
        }
        RuleNode? rule = null;
        if (exit.TryGetProperty("rule", out var ruleJson) && ruleJson.ValueKind != JsonValueKind.Null)
        {
            rule = SegmentRules.Parse(ruleJson, $"{path}.rule", errors);
        }
        return new JourneyExit(leftSegment, rule);
    }

    private static JourneyReentry? ParseReentry(JsonElement json, string path, FieldErrors errors)
    {
        if (!json.TryGetProperty("reentry", out var reentry) || reentry.ValueKind == JsonValueKind.Null)
        {
            return new JourneyReentry(ReentryModes.Never, 0);
        }
        var mode = reentry.ValueKind == JsonValueKind.Object ? Text(reentry, "mode") : null;
        if (mode is null || !ReentryModes.All.Contains(mode))
        {
            errors.Add($"{path}.mode", $"mode is one of: {string.Join(", ", ReentryModes.All)}.");
            return null;
        }
        if (mode != ReentryModes.After)
        {
            return new JourneyReentry(mode, 0);
        }
        if (!reentry.TryGetProperty("days", out var days) || days.ValueKind != JsonValueKind.Number || !days.TryGetInt32(out var n) || n is < 1 or > 3650)
        {
            errors.Add($"{path}.days", "days is a whole number from 1 to 3650 (for mode after).");
            return null;
        }
        return new JourneyReentry(mode, n);
    }

    /// <summary>A string property, or null when absent, null or not a non-empty string.</summary>
    public static string? Text(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    private static Guid? Id(JsonElement json, string name, string path, FieldErrors errors)
    {
        if (Text(json, name) is { } text && Guid.TryParse(text, out var id))
        {
            return id;
        }
        errors.Add($"{path}.{name}", $"{name} is an id (a UUID).");
        return null;
    }
}
