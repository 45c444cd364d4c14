using System.Text.Json;
using CrmPlatform.Integrations.Amqp;
using CrmPlatform.Integrations.Data;
using CrmPlatform.Integrations.Delivery;
using CrmPlatform.Integrations.Events;
using CrmPlatform.Integrations.Subscriptions;
using CrmPlatform.Persistence.Audit;
using CrmPlatform.Persistence.Paging;
using CrmPlatform.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrmPlatform.Integrations.Apis;

/// <summary>
/// A subscription as written. <c>transport</c>: <c>webhook</c> (default; <c>url</c> required) or <c>amqp</c> (no
/// <c>url</c>: the platform provisions a queue and a broker user that can only read it); <c>eventTypes</c>: catalogue
/// keys (<c>Contacts.V1.PersonCreated</c>, see <c>/docs/asyncapi/events.json</c>); <c>filter</c>: top-level payload
/// fields and the values they must equal; <c>scopes</c>: <c>people:read</c>, <c>consents:read</c> (fields outside them
/// are removed from the data); <c>ordered</c>: one event at a time in publication order; <c>status</c>: <c>active</c>
/// (default) or <c>disabled</c>. The transport of a subscription cannot change.
/// </summary>
public sealed record EventSubscriptionRequest(
    string? Url, string? Description, List<string>? EventTypes, JsonElement? Filter, List<string>? Scopes, bool? Ordered, string? Status,
    string? Transport = null)
{
    public const int MaxEventTypes = 100;

    public string TransportOrDefault => Transport ?? SubscriptionTransport.Webhook;

    public FieldErrors Validate(out string? filter)
    {
        var amqp = TransportOrDefault == SubscriptionTransport.Amqp;
        var errors = new FieldErrors()
            .When(!SubscriptionTransport.All.Contains(TransportOrDefault), "transport", $"transport is one of: {string.Join(", ", SubscriptionTransport.All)}.")
            .When(amqp && Url is not null, "url", "An amqp subscription has no url: its events go to the queue the platform provisions.");
        if (!amqp)
        {
            errors.Required("url", Url, Subscription.UrlMaxLength);
        }
        errors
            .MaxLength("description", Description, Subscription.DescriptionMaxLength)
            .When(EventTypes is not { Count: > 0 }, "eventTypes", "eventTypes names at least one event type of the catalogue.")
            .When(EventTypes is { Count: > MaxEventTypes }, "eventTypes", $"eventTypes names at most {MaxEventTypes} types.")
            .When(Status is not null && !SubscriptionStatus.All.Contains(Status), "status", $"status is one of: {string.Join(", ", SubscriptionStatus.All)}.");
        foreach (var type in (EventTypes ?? []).Where(t => !EventIntake.EventTypes.Contains(t ?? "")).Distinct())
        {
            errors.Add("eventTypes", $"'{type}' is not an event type of the catalogue (for example Contacts.V1.PersonCreated).");
        }
        foreach (var scope in (Scopes ?? []).Where(s => !FieldProtection.Scopes.Contains(s ?? "")).Distinct())
        {
            errors.Add("scopes", $"'{scope}' is not a scope; scopes are: {string.Join(", ", FieldProtection.Scopes)}.");
        }
        filter = EventFilter.Validate(Filter, errors);
        return errors;
    }
}

/// <summary>
/// Where an AMQP subscription's events wait: connect to <c>uri</c> (user in it, no password) as <c>username</c> and
/// consume <c>queue</c>. <c>password</c> is shown only in the answer to the create.
/// </summary>
public sealed record AmqpConnectionResponse(string Uri, string Queue, string Username, string? Password);

/// <summary>
/// A subscription; a webhook's <c>secret</c> is shown only when it is created (and its new one when rotated), an AMQP
/// subscription's broker password only when it is created.
/// </summary>
public sealed record EventSubscriptionResponse(
    Guid Id, string Transport, string? Url, AmqpConnectionResponse? Amqp, string? Description, IReadOnlyList<string> EventTypes,
    JsonElement? Filter, IReadOnlyList<string> Scopes, bool Ordered, string Status, string? DisabledReason, DateTime? FailingSince,
    DateTime CreatedAt, DateTime UpdatedAt, int Version, string? Secret)
{
    public static EventSubscriptionResponse From(Subscription s, PartnerBroker broker, string? secret = null, string? amqpPassword = null) => new(
        s.Id, s.Transport, s.Url,
        s.AmqpUser is null ? null : new AmqpConnectionResponse(broker.PartnerUri(s.AmqpUser), s.AmqpQueue!, s.AmqpUser, amqpPassword),
        s.Description, s.EventTypes, s.Filter is null ? null : JsonDocument.Parse(s.Filter).RootElement.Clone(), s.Scopes,
        s.Ordered, s.Status, s.DisabledReason, s.FailingSince, s.CreatedAt, s.UpdatedAt, s.Version, secret);
}

/// <summary>The new secret, and until when the previous one still signs.</summary>
public sealed record RotatedSecretResponse(string Secret, DateTime PreviousSecretExpiresAt, int Version);

public sealed record DeliveryAttemptResponse(DateTime AttemptedAt, int? StatusCode, int LatencyMs, string? Error);

/// <summary>One event owed to the subscription: its state and every attempt (the delivery log).</summary>
public sealed record DeliveryResponse(
    Guid Id, Guid EventId, string EventType, string Status, int Attempts, DateTime? NextAttemptAt, DateTime? CompletedAt,
    int? LastStatusCode, string? LastError, bool Replay, DateTime CreatedAt, IReadOnlyList<DeliveryAttemptResponse> AttemptLog);

/// <summary>Which events to send again: <c>from</c>–<c>to</c> (when they happened, to exclusive) or from an event id on (inclusive).</summary>
public sealed record ReplayRequest(DateTime? From, DateTime? To, Guid? FromEventId);

public sealed record ReplayResponse(int Queued);

public static class EventSubscriptionsApi
{
    private const string Resource = "event subscription";
    public const int MaxReplayEvents = 10_000;

    public static RouteGroupBuilder MapEventSubscriptionsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/event-subscriptions").WithTags("Event subscriptions");
        api.MapGet("/", ListEventSubscriptions).RequirePermission(Permissions.EventSubscriptions, Operation.Read);
        api.MapGet("/{id:guid}", GetEventSubscription).RequirePermission(Permissions.EventSubscriptions, Operation.Read);
        api.MapPost("/", CreateEventSubscription).RequirePermission(Permissions.EventSubscriptions, Operation.Create)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapPut("/{id:guid}", UpdateEventSubscription).RequirePermission(Permissions.EventSubscriptions, Operation.Update);
        api.MapDelete("/{id:guid}", DeleteEventSubscription).RequirePermission(Permissions.EventSubscriptions, Operation.Delete)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapPost("/{id:guid}/rotate-secret", RotateEventSubscriptionSecret).RequirePermission(Permissions.EventSubscriptions, Operation.Update);
        api.MapGet("/{id:guid}/deliveries", ListEventSubscriptionDeliveries).RequirePermission(Permissions.EventSubscriptions, Operation.Read);
        api.MapPost("/{id:guid}/deliveries/{deliveryId:guid}/resend", ResendEventSubscriptionDelivery)
            .RequirePermission(Permissions.EventSubscriptions, Operation.Update);
        api.MapPost("/{id:guid}/replay", ReplayEventSubscription).RequirePermission(Permissions.EventSubscriptions, Operation.Update);
        return api;
    }

    public static async Task<Results<Ok<CursorPage<EventSubscriptionResponse>>, ValidationProblem>> ListEventSubscriptions(
        IntegrationsDbContext db, PartnerBroker broker, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!PageRequest.TryParse(limit, cursor, out var page, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        var subscriptions = await db.Subscriptions.AsNoTracking().ToCursorPageAsync(page, s => s, cancellationToken);
        return TypedResults.Ok(new CursorPage<EventSubscriptionResponse>(
            subscriptions.Items.Select(s => EventSubscriptionResponse.From(s, broker)).ToList(), subscriptions.NextCursor));
    }

    public static async Task<Results<Ok<EventSubscriptionResponse>, ProblemHttpResult>> GetEventSubscription(
        Guid id, IntegrationsDbContext db, PartnerBroker broker, HttpResponse response, CancellationToken cancellationToken)
    {
        var subscription = await db.Subscriptions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (subscription is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        ETags.Set(response, subscription.Version);
        return TypedResults.Ok(EventSubscriptionResponse.From(subscription, broker));
    }

    public static async Task<Results<Created<EventSubscriptionResponse>, ValidationProblem, ProblemHttpResult>> CreateEventSubscription(
        EventSubscriptionRequest request, IntegrationsDbContext db, PartnerBroker broker, HttpResponse response, IOptions<WebhookSettings> settings,
        CancellationToken cancellationToken)
    {
        var errors = request.Validate(out var filter);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (request.TransportOrDefault == SubscriptionTransport.Webhook)
        {
            if (await TargetProblemAsync(request.Url!, settings.Value, cancellationToken) is { } target)
            {
                return target;
            }
            var webhook = new Subscription { Secret = WebhookSignature.NewSecret() };
            Apply(request, filter, webhook);
            db.Subscriptions.Add(webhook);
            await db.SaveChangesAsync(cancellationToken);
            ETags.Set(response, webhook.Version);
            return TypedResults.Created($"/api/v1/event-subscriptions/{webhook.Id}", EventSubscriptionResponse.From(webhook, broker, webhook.Secret));
        }

        if (!broker.Enabled)
        {
            return ApiProblems.Unprocessable("AMQP delivery is not available on this platform.",
                new Dictionary<string, string[]> { ["transport"] = ["AMQP delivery is not configured here; use a webhook."] });
        }
        // The broker's objects first, then the row: a subscription is only ever saved with a queue and user that exist,
        // and if the save fails they are removed again.
        var subscription = new Subscription { Transport = SubscriptionTransport.Amqp };
        PartnerCredentials credentials;
        try
        {
            credentials = await broker.ProvisionAsync(subscription.Id, cancellationToken);
        }
        catch (BrokerUnavailableException)
        {
            return BrokerUnavailable();
        }
        try
        {
            subscription.AmqpQueue = credentials.Queue;
            subscription.AmqpUser = credentials.Username;
            Apply(request, filter, subscription);
            db.Subscriptions.Add(subscription);
            await db.SaveChangesAsync(cancellationToken);
        }
        catch
        {
            await broker.RevokeAsync(subscription.Id, CancellationToken.None);
            throw;
        }
        ETags.Set(response, subscription.Version);
        return TypedResults.Created($"/api/v1/event-subscriptions/{subscription.Id}",
            EventSubscriptionResponse.From(subscription, broker, amqpPassword: credentials.Password));
    }

    private static ProblemHttpResult BrokerUnavailable() => TypedResults.Problem(
        statusCode: StatusCodes.Status503ServiceUnavailable, title: "Message broker unavailable",
        detail: "The message broker could not be reached or refused the change; nothing was changed. Try again shortly.");

    public static async Task<Results<Ok<EventSubscriptionResponse>, ValidationProblem, ProblemHttpResult>> UpdateEventSubscription(
        Guid id, EventSubscriptionRequest request, IntegrationsDbContext db, PartnerBroker broker, HttpContext http,
        IOptions<WebhookSettings> settings, CancellationToken cancellationToken)
    {
        var errors = request.Validate(out var filter);
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var subscription = await db.Subscriptions.SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (subscription is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, subscription.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (request.TransportOrDefault != subscription.Transport)
        {
            return ApiProblems.Unprocessable($"This subscription's transport is {subscription.Transport}; it cannot change (create another subscription).",
                new Dictionary<string, string[]> { ["transport"] = [$"transport stays {subscription.Transport}."] });
        }
        if (subscription.Transport == SubscriptionTransport.Webhook && await TargetProblemAsync(request.Url!, settings.Value, cancellationToken) is { } target)
        {
            return target;
        }
        Apply(request, filter, subscription);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, id);
        }
        ETags.Set(http.Response, subscription.Version);
        return TypedResults.Ok(EventSubscriptionResponse.From(subscription, broker));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteEventSubscription(
        Guid id, IntegrationsDbContext db, PartnerBroker broker, HttpRequest request, CancellationToken cancellationToken)
    {
        var subscription = await db.Subscriptions.SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (subscription is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(request, subscription.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (subscription.Transport == SubscriptionTransport.Amqp)
        {
            // Access goes first: if the broker cannot revoke it, the subscription stays (and the delete can be retried)
            // rather than leaving a user that reads a queue nobody owns.
            try
            {
                await broker.RevokeAsync(subscription.Id, cancellationToken);
            }
            catch (BrokerUnavailableException)
            {
                return BrokerUnavailable();
            }
        }
        db.Subscriptions.Remove(subscription);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, id);
        }
        return TypedResults.NoContent();
    }

    /// <summary>A new secret; the previous one keeps signing (both signatures are sent) for the overlap window.</summary>
    public static async Task<Results<Ok<RotatedSecretResponse>, ProblemHttpResult>> RotateEventSubscriptionSecret(
        Guid id, IntegrationsDbContext db, HttpContext http, TimeProvider clock, IOptions<WebhookSettings> settings, CancellationToken cancellationToken)
    {
        var subscription = await db.Subscriptions.SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (subscription is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        if (ETags.CheckIfMatch(http.Request, subscription.Version, out _) is { } precondition)
        {
            return precondition;
        }
        if (subscription.Transport != SubscriptionTransport.Webhook)
        {
            return ApiProblems.Conflict($"The subscription '{id}' delivers over AMQP: it has no signing secret to rotate.");
        }
        subscription.PreviousSecret = subscription.Secret;
        subscription.PreviousSecretExpiresAt = clock.GetUtcNow().UtcDateTime + settings.Value.SecretOverlap;
        subscription.Secret = WebhookSignature.NewSecret();
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return ApiProblems.ConcurrentUpdate(Resource, id);
        }
        ETags.Set(http.Response, subscription.Version);
        return TypedResults.Ok(new RotatedSecretResponse(subscription.Secret, subscription.PreviousSecretExpiresAt.Value, subscription.Version));
    }

    /// <summary>The delivery log, oldest first; <c>status</c> (<c>pending</c>, <c>delivered</c>, <c>dead</c>) narrows it (dead letters).</summary>
    public static async Task<Results<Ok<CursorPage<DeliveryResponse>>, ValidationProblem, ProblemHttpResult>> ListEventSubscriptionDeliveries(
        Guid id, IntegrationsDbContext db, int? limit, string? cursor, string? status, CancellationToken cancellationToken)
    {
        if (!PageRequest.TryParse(limit, cursor, out var page, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (status is not null && !DeliveryStatus.All.Contains(status))
        {
            return TypedResults.ValidationProblem(new FieldErrors().Add("status", $"status is one of: {string.Join(", ", DeliveryStatus.All)}."));
        }
        if (!await db.Subscriptions.AnyAsync(s => s.Id == id, cancellationToken))
        {
            return ApiProblems.NotFound(Resource, id);
        }
        var deliveries = await db.Deliveries.AsNoTracking()
            .Where(d => d.SubscriptionId == id && (status == null || d.Status == status))
            .ToCursorPageAsync(page, d => d, cancellationToken);
        var ids = deliveries.Items.Select(d => d.Id).ToList();
        var eventIds = deliveries.Items.Select(d => d.EventId).Distinct().ToList();
        var attempts = (await db.DeliveryAttempts.AsNoTracking().Where(a => ids.Contains(a.DeliveryId)).OrderBy(a => a.AttemptedAt)
            .ToListAsync(cancellationToken)).ToLookup(a => a.DeliveryId);
        var types = await db.EventLog.AsNoTracking().Where(e => eventIds.Contains(e.EventId))
            .ToDictionaryAsync(e => e.EventId, e => e.Type, cancellationToken);
        return TypedResults.Ok(new CursorPage<DeliveryResponse>(deliveries.Items.Select(d => new DeliveryResponse(
            d.Id, d.EventId, types.GetValueOrDefault(d.EventId, ""), d.Status, d.Attempts,
            d.Status == DeliveryStatus.Pending ? d.NextAttemptAt : null, d.CompletedAt, d.LastStatusCode, d.LastError, d.Replay, d.CreatedAt,
            attempts[d.Id].Select(a => new DeliveryAttemptResponse(a.AttemptedAt, a.StatusCode, a.LatencyMs, a.Error)).ToList())).ToList(),
            deliveries.NextCursor));
    }

    /// <summary>Sends a dead letter again: a fresh series of attempts for the same event (same webhook-id).</summary>
    public static async Task<Results<Accepted, ProblemHttpResult>> ResendEventSubscriptionDelivery(
        Guid id, Guid deliveryId, IntegrationsDbContext db, TimeProvider clock, DeliverySignal signal, CancellationToken cancellationToken)
    {
        var delivery = await db.Deliveries.SingleOrDefaultAsync(d => d.Id == deliveryId && d.SubscriptionId == id, cancellationToken);
        if (delivery is null)
        {
            return ApiProblems.NotFound("delivery", deliveryId);
        }
        if (delivery.Status != DeliveryStatus.Dead)
        {
            return ApiProblems.Conflict($"The delivery '{deliveryId}' is {delivery.Status}; only dead letters are sent again (replay sends delivered events).");
        }
        delivery.Status = DeliveryStatus.Pending;
        delivery.Attempts = 0;
        delivery.CompletedAt = null;
        delivery.NextAttemptAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        signal.Notify();
        return TypedResults.Accepted($"/api/v1/event-subscriptions/{id}/deliveries");
    }

    /// <summary>
    /// Sends the subscription's events of a time range (or from an event id on: that event and every one that happened
    /// after it) again, as new deliveries in the order they happened, with their original webhook-id; at most 10,000
    /// events per replay.
    /// </summary>
    public static async Task<Results<Accepted<ReplayResponse>, ValidationProblem, ProblemHttpResult>> ReplayEventSubscription(
        Guid id, ReplayRequest request, IntegrationsDbContext db, TimeProvider clock, DeliverySignal signal, CancellationToken cancellationToken)
    {
        var byTime = request.From is not null || request.To is not null;
        var errors = new FieldErrors()
            .When(byTime == (request.FromEventId is not null), "from", "Give either from and to, or fromEventId.")
            .When(byTime && (request.From is null || request.To is null), "to", "A time range needs both from and to.")
            .When(request is { From: { } f, To: { } t } && f >= t, "to", "to is after from.");
        if (!errors.IsValid)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var subscription = await db.Subscriptions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (subscription is null)
        {
            return ApiProblems.NotFound(Resource, id);
        }
        var entries = db.EventLog.AsNoTracking().Where(e => subscription.EventTypes.Contains(e.Type));
        if (request.FromEventId is { } fromEventId)
        {
            var start = await db.EventLog.AsNoTracking().Where(e => e.EventId == fromEventId)
                .Select(e => new { e.OccurredAt, e.Sequence }).SingleOrDefaultAsync(cancellationToken);
            if (start is null)
            {
                return ApiProblems.Unprocessable($"No event '{fromEventId}' in this tenant's event log.",
                    new Dictionary<string, string[]> { ["fromEventId"] = ["fromEventId names an event of this tenant's log."] });
            }
            // That event and every later one, by when they happened (ties: the order they were logged in).
            entries = entries.Where(e => e.OccurredAt > start.OccurredAt || (e.OccurredAt == start.OccurredAt && e.Sequence >= start.Sequence));
        }
        else
        {
            var from = DateTime.SpecifyKind(request.From!.Value.ToUniversalTime(), DateTimeKind.Utc);
            var to = DateTime.SpecifyKind(request.To!.Value.ToUniversalTime(), DateTimeKind.Utc);
            entries = entries.Where(e => e.OccurredAt >= from && e.OccurredAt < to);
        }
        var chosen = await entries.OrderBy(e => e.OccurredAt).ThenBy(e => e.Sequence).Take(MaxReplayEvents + 1).ToListAsync(cancellationToken);
        if (chosen.Count > MaxReplayEvents)
        {
            return ApiProblems.Unprocessable($"More than {MaxReplayEvents} events match; replay a narrower range.",
                new Dictionary<string, string[]> { ["from"] = [$"At most {MaxReplayEvents} events per replay."] });
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var queued = 0;
        foreach (var entry in chosen.Where(e => EventFilter.Takes(subscription.Filter, subscription.Scopes, e.Payload)))
        {
            db.Deliveries.Add(new WebhookDelivery
            {
                SubscriptionId = id, EventId = entry.EventId, EventSequence = entry.Sequence, CreatedAt = now, NextAttemptAt = now, Replay = true,
            });
            queued++;
        }
        db.Set<AuditEntry>().Add(new AuditEntry
        {
            CreatedAt = now, EntityType = "subscription", EntityId = id, Action = "replayed", ActorId = db.Actor,
            Changes = JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["replay"] = new { from = (object?)null, to = new { request.From, request.To, request.FromEventId, queued } },
            }),
        });
        await db.SaveChangesAsync(cancellationToken);
        signal.Notify();
        return TypedResults.Accepted($"/api/v1/event-subscriptions/{id}/deliveries", new ReplayResponse(queued));
    }

    private static async Task<ProblemHttpResult?> TargetProblemAsync(string url, WebhookSettings settings, CancellationToken cancellationToken) =>
        await TargetGuard.CheckAsync(url.Trim(), settings.AllowPrivateTargets, cancellationToken) is { } problem
            ? ApiProblems.Unprocessable(problem, new Dictionary<string, string[]> { ["url"] = [problem] })
            : null;

    private static void Apply(EventSubscriptionRequest request, string? filter, Subscription subscription)
    {
        subscription.Url = request.Url?.Trim();
        subscription.Description = request.Description?.Trim();
        subscription.EventTypes = request.EventTypes!.Distinct().Order(StringComparer.Ordinal).ToList();
        subscription.Filter = filter;
        subscription.Scopes = (request.Scopes ?? []).Distinct().Order(StringComparer.Ordinal).ToList();
        subscription.Ordered = request.Ordered ?? false;
        var status = request.Status ?? SubscriptionStatus.Active;
        if (status != subscription.Status)
        {
            subscription.Status = status;
            subscription.DisabledReason = null;
            subscription.FailingSince = null;
        }
    }
}
