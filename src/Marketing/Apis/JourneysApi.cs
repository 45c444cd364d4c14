using System.Text.Json;
using CrmPlatform.Marketing.Data;
using CrmPlatform.Marketing.Journeys;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Marketing.Apis;

/// <summary>A journey as written: a name and its definition (see <see cref="JourneyDefinition"/>).</summary>
public sealed record JourneyRequest(string? Name, string? Description, JsonElement? Definition)
{
    public FieldErrors Validate(JourneyActions actions, out JourneyDefinition? definition)
    {
        definition = null;
        var errors = new FieldErrors()
            .Required("name", Name, Journey.NameMaxLength)
            .MaxLength("description", Description, Journey.DescriptionMaxLength);
        if (Definition is not { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } given)
        {
            errors.Add("definition", "definition is required.");
            return errors;
        }
        definition = JourneyDefinition.Parse(given, "definition", actions, errors);
        return errors;
    }
}

public sealed record JourneyResponse(
    Guid Id, string Name, string? Description, string Status, JsonElement Definition, int DefinitionVersion,
    DateTime CreatedAt, string? CreatedBy, DateTime UpdatedAt, string? UpdatedBy, int Version)
{
    public static JourneyResponse From(Journey j) => new(
        j.Id, j.Name, j.Description, j.Status, JsonDocument.Parse(j.Definition).RootElement.Clone(), j.DefinitionVersion,
        j.CreatedAt, j.CreatedBy, j.UpdatedAt, j.UpdatedBy, j.Version);
}

/// <summary>A move of a journey's status: <c>active</c>, <c>paused</c> or <c>archived</c>.</summary>
public sealed record JourneyStatusRequest(string? Status);

public sealed record EnrolmentResponse(
    Guid Id, Guid JourneyId, int JourneyVersion, Guid PersonId, string Status, string? CurrentStep, DateTime? DueAt,
    DateTime EnteredAt, DateTime? FinishedAt, string? ExitReason, int Attempts, string? LastError)
{
    public static EnrolmentResponse From(JourneyEnrolment e) => new(
        e.Id, e.JourneyId, e.JourneyVersion, e.PersonId, e.Status, e.CurrentStep, e.DueAt, e.CreatedAt, e.FinishedAt, e.ExitReason, e.Attempts, e.LastError);
}

/// <summary>
/// One step the person went through: when, and what came of it. A send-email step's outcome follows its email
/// (<c>queued</c>, <c>sent</c>, <c>skipped</c> with the consent gate's reason as detail, <c>failed</c>), told in <see cref="Email"/>.
/// </summary>
public sealed record EnrolmentStepResponse(Guid Id, string StepId, string Kind, string Outcome, string? Detail, DateTime ExecutedAt, EnrolmentStepEmail? Email = null);

/// <summary>The email a send-email step queued: its journey campaign (statistics at <c>/api/v1/campaigns/{campaignId}/statistics</c>) and how it went.</summary>
public sealed record EnrolmentStepEmail(
    Guid CampaignId, string Status, string? SkipReason, string? Error, DateTime? SentAt, DateTime? FirstOpenedAt, DateTime? FirstClickedAt);

/// <summary>An enrolment with the person's path so far.</summary>
public sealed record EnrolmentPathResponse(EnrolmentResponse Enrolment, IReadOnlyList<EnrolmentStepResponse> Steps);

public static class JourneysApi
{
    private const string Resource = "journey";

    public static RouteGroupBuilder MapJourneysApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/journeys").WithTags("Journeys");
        api.MapGet("/", ListJourneys).RequirePermission(Permissions.Journeys, Operation.Read);
        api.MapGet("/{id:guid}", GetJourney).RequirePermission(Permissions.Journeys, Operation.Read);
        api.MapPost("/", CreateJourney).RequirePermission(Permissions.Journeys, Operation.Create);
        api.MapPut("/{id:guid}", UpdateJourney).RequirePermission(Permissions.Journeys, Operation.Update);
        api.MapPost("/{id:guid}/status", ChangeJourneyStatus).RequirePermission(Permissions.Journeys, Operation.Update);
        api.MapGet("/{id:guid}/enrolments", ListJourneyEnrolments).RequirePermission(Permissions.Journeys, Operation.Read);
        api.MapGet("/{id:guid}/enrolments/{enrolmentId:guid}", GetJourneyEnrolment).RequirePermission(Permissions.Journeys, Operation.Read);
        return api;
    }

    public static async Task<Results<Ok<CursorPage<JourneyResponse>>, ValidationProblem>> ListJourneys(
        MarketingDbContext db, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!PageRequest.TryParse(limit, cursor, out var page, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        return TypedResults.Ok(await db.Journeys.AsNoTracking().ToCursorPageAsync(page, JourneyResponse.From, cancellationToken));
    }

    public static async Task<Results<Ok<JourneyResponse>, ProblemHttpResult>> GetJourney(
        Guid id, MarketingDbContext db, HttpResponse response, CancellationToken cancellationToken)
    {
        var journey = await db.Journeys.AsNoTracking().SingleOrDefaultAsync(j => j.Id == id, cancellationToken);
        if (journey is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, journey.Version);
        return TypedResults.Ok(JourneyResponse.From(journey));
    }

    public static async Task<Results<Created<JourneyResponse>, ValidationProblem, ProblemHttpResult>> CreateJourney(
        JourneyRequest request, MarketingDbContext db, JourneyActions actions, HttpResponse response, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = request.Validate(actions, out var definition);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (await UnknownReferencesAsync(db, definition!, request.Definition!.Value, cancellationToken) is { } unknown)
        {
            return unknown;
        }
        var journey = new Journey();
        Apply(db, journey, request, definition!, clock);
        db.Journeys.Add(journey);
        await db.SaveChangesAsync(cancellationToken);
        ETags.Set(response, journey.Version);
        return TypedResults.Created($"/api/v1/journeys/{journey.Id}", JourneyResponse.From(journey));
    }

    /// <summary>
    /// Saves a new definition as the journey's next version (also while active: people inside keep the version they
    /// entered with, new people get this one). An archived journey does not change.
    /// </summary>
    public static async Task<Results<Ok<JourneyResponse>, ValidationProblem, ProblemHttpResult>> UpdateJourney(
        Guid id, JourneyRequest request, MarketingDbContext db, JourneyActions actions, HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = request.Validate(actions, out var definition);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var journey = await db.Journeys.SingleOrDefaultAsync(j => j.Id == id, cancellationToken);
        if (journey is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, journey.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (journey.Status == JourneyStatuses.Archived)
        {
            return ApiProblems.Conflict($"The journey '{id}' is archived: it does not change any more.");
        }
        if (await UnknownReferencesAsync(db, definition!, request.Definition!.Value, cancellationToken) is { } unknown)
        {
            return unknown;
        }
        Apply(db, journey, request, definition!, clock);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex is DbUpdateConcurrencyException || ex.InnerException is Npgsql.PostgresException { SqlState: "23505" })
        {
            return ApiProblems.ConcurrentUpdate(Resource, id);
        }
        ETags.Set(http.Response, journey.Version);
        return TypedResults.Ok(JourneyResponse.From(journey));
    }

    /// <summary>draft → active ⇄ paused, any → archived (whoever is still inside exits). 409 for any other move.</summary>
    public static async Task<Results<Ok<JourneyResponse>, ValidationProblem, ProblemHttpResult>> ChangeJourneyStatus(
        Guid id, JourneyStatusRequest request, MarketingDbContext db, HttpContext http, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors().When(request.Status is null || !JourneyStatuses.All.Contains(request.Status) || request.Status == JourneyStatuses.Draft,
            "status", "status is one of: active, paused, archived.");
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var journey = await db.Journeys.SingleOrDefaultAsync(j => j.Id == id, cancellationToken);
        if (journey is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, journey.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (!JourneyStatuses.CanMove(journey.Status, request.Status!))
        {
            return ApiProblems.Conflict($"The journey '{id}' is {journey.Status}; it cannot become {request.Status}.");
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        journey.Status = request.Status!;
        if (journey.Status == JourneyStatuses.Archived)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            await db.JourneyEnrolments.Where(e => e.JourneyId == id && e.Status == EnrolmentStatuses.Active)
                .ExecuteUpdateAsync(e => e.SetProperty(x => x.Status, EnrolmentStatuses.Exited).SetProperty(x => x.ExitReason, "archived")
                    .SetProperty(x => x.FinishedAt, now).SetProperty(x => x.DueAt, (DateTime?)null).SetProperty(x => x.CurrentStep, (string?)null), cancellationToken);
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, id);
        }
        await transaction.CommitAsync(cancellationToken);
        http.RequestServices.GetRequiredService<JourneySignal>().Notify();
        ETags.Set(http.Response, journey.Version);
        return TypedResults.Ok(JourneyResponse.From(journey));
    }

    public static async Task<Results<Ok<CursorPage<EnrolmentResponse>>, ValidationProblem, ProblemHttpResult>> ListJourneyEnrolments(
        Guid id, MarketingDbContext db, int? limit, string? cursor, Guid? personId, CancellationToken cancellationToken)
    {
        if (!PageRequest.TryParse(limit, cursor, out var page, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (!await db.Journeys.AnyAsync(j => j.Id == id, cancellationToken))
        {
            return ApiProblems.NotFound(Resource, id);
        }
        var enrolments = db.JourneyEnrolments.AsNoTracking().Where(e => e.JourneyId == id);
        if (personId is { } person)
        {
            enrolments = enrolments.Where(e => e.PersonId == person);
        }
        return TypedResults.Ok(await enrolments.ToCursorPageAsync(page, EnrolmentResponse.From, cancellationToken));
    }

    public static async Task<Results<Ok<EnrolmentPathResponse>, ProblemHttpResult>> GetJourneyEnrolment(
        Guid id, Guid enrolmentId, MarketingDbContext db, CancellationToken cancellationToken)
    {
        var enrolment = await db.JourneyEnrolments.AsNoTracking().SingleOrDefaultAsync(e => e.Id == enrolmentId && e.JourneyId == id, cancellationToken);
        if (enrolment is null)
        {
            return ApiProblems.NotFound("enrolment", enrolmentId);
        }
        var executions = await db.JourneyStepExecutions.AsNoTracking().Where(x => x.EnrolmentId == enrolmentId)
            .OrderBy(x => x.Number).ToListAsync(cancellationToken);
        // A send-email step queued a campaign recipient: its path shows what the sender made of it since.
        var recipientIds = executions.Where(x => x.Kind == SendEmailAction.KindName).Select(x => SendEmailAction.RecipientId(x.Id)).ToList();
        var emails = recipientIds.Count == 0 ? []
            : await db.CampaignRecipients.AsNoTracking().Where(r => recipientIds.Contains(r.Id))
                .Select(r => new { r.Id, Email = new EnrolmentStepEmail(r.CampaignId, JourneyEmailOutcomes.Of(r.Status), r.SkipReason, r.Error, r.SentAt, r.FirstOpenedAt, r.FirstClickedAt) })
                .ToDictionaryAsync(r => r.Id, r => r.Email, cancellationToken);
        var steps = executions.Select(x => emails.GetValueOrDefault(SendEmailAction.RecipientId(x.Id)) is { } email && x.Kind == SendEmailAction.KindName
                ? new EnrolmentStepResponse(x.Id, x.StepId, x.Kind, email.Status, email.SkipReason ?? email.Error ?? x.Detail, x.ExecutedAt, email)
                : new EnrolmentStepResponse(x.Id, x.StepId, x.Kind, x.Outcome, x.Detail, x.ExecutedAt))
            .ToList();
        return TypedResults.Ok(new EnrolmentPathResponse(EnrolmentResponse.From(enrolment), steps));
    }

    /// <summary>A trigger's segment or form and the send-email steps' templates must be the tenant's: 422 naming each path otherwise.</summary>
    private static async Task<ProblemHttpResult?> UnknownReferencesAsync(
        MarketingDbContext db, JourneyDefinition definition, JsonElement json, CancellationToken cancellationToken)
    {
        var trigger = definition.Trigger;
        var (exists, field) = trigger.Kind switch
        {
            TriggerKinds.SegmentEntry => (await db.Segments.AnyAsync(s => s.Id == trigger.RefId, cancellationToken), "definition.trigger.segmentId"),
            TriggerKinds.FormSubmission => (await db.WebForms.AnyAsync(f => f.Id == trigger.RefId, cancellationToken), "definition.trigger.formId"),
            _ => (true, ""),
        };
        var errors = await SendEmailAction.UnknownTemplatesAsync(db, json, cancellationToken);
        if (!exists)
        {
            errors[field] = [$"Unknown id '{trigger.RefId}'."];
        }
        return errors.Count == 0 ? null
            : ApiProblems.Unprocessable($"The definition names what the tenant does not have: {string.Join(", ", errors.Keys)}.", errors);
    }

    /// <summary>Sets the fields and, when the definition changed (or is new), saves it as the next version.</summary>
    private static void Apply(MarketingDbContext db, Journey journey, JourneyRequest request, JourneyDefinition definition, TimeProvider clock)
    {
        journey.Name = request.Name!.Trim();
        journey.Description = string.IsNullOrWhiteSpace(request.Description) ? null : request.Description.Trim();
        var json = request.Definition!.Value.GetRawText();
        if (journey.DefinitionVersion > 0 && JsonElement.DeepEquals(JsonDocument.Parse(journey.Definition).RootElement, request.Definition.Value))
        {
            return;
        }
        journey.Definition = json;
        journey.DefinitionVersion++;
        journey.TriggerKind = definition.Trigger.Kind;
        journey.TriggerRefId = definition.Trigger.RefId;
        journey.TriggerEvent = definition.Trigger.Event;
        db.JourneyVersions.Add(new JourneyVersion
        {
            JourneyId = journey.Id, Number = journey.DefinitionVersion, Definition = json, CreatedAt = clock.GetUtcNow().UtcDateTime,
        });
    }
}
