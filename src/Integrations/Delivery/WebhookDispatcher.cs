using System.Diagnostics;
using EventLogEntry = CrmPlatform.Integrations.Events.EventLogEntry;
using System.Net.Http.Headers;
using CrmPlatform.Integrations.Amqp;
using CrmPlatform.Integrations.Data;
using CrmPlatform.Integrations.Events;
using CrmPlatform.Integrations.Subscriptions;
using CrmPlatform.Persistence.Mail;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CrmPlatform.Integrations.Delivery;

/// <summary>
/// Sends due deliveries. Each worker claims a batch with <c>FOR UPDATE SKIP LOCKED</c> and leases it by moving its next
/// attempt past the request timeout (so several workers and instances share the queue, and a crash only delays a
/// retry), sends the whole batch concurrently, then records every attempt and outcome in one transaction. At least
/// once: a delivery whose outcome was not recorded is sent again when its lease ends, with the same webhook-id. AMQP
/// subscriptions share all of it (retries, ordering, delivery log, dead letters, replay); only the send differs: a
/// publish to the subscription's queue that counts as delivered once the broker confirmed it.
/// </summary>
public sealed class WebhookDispatcher(
    IServiceScopeFactory scopes, IHttpClientFactory httpClients, PartnerBroker broker, IOptions<WebhookSettings> options, DeliverySignal signal,
    TimeProvider clock, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "webhooks";

    private WebhookSettings Settings => options.Value;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Math.Max(1, Settings.Workers)).Select(_ => Task.Run(() => WorkAsync(stoppingToken), stoppingToken)));

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var claimed = 0;
            try
            {
                claimed = await DispatchBatchAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Dispatching webhooks failed; claimed deliveries are retried when their lease ends");
            }
            if (claimed == Settings.BatchSize)
            {
                continue;
            }
            try
            {
                await signal.WaitAsync(Settings.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private sealed record Claim(Guid Id, Guid TenantId, Guid SubscriptionId, Guid EventId, int Attempts);

    /// <summary>An attempt's result: delivered when nothing went wrong (a 2xx answer, or the broker's confirm).</summary>
    private sealed record Outcome(Claim Claim, DateTime AttemptedAt, int? StatusCode, int LatencyMs, string? Error)
    {
        public bool Delivered => Error is null;
    }

    private async Task<int> DispatchBatchAsync(CancellationToken stoppingToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IntegrationsDbContext>();
        var claims = await ClaimAsync(db, stoppingToken);
        var claimed = claims.Count;
        if (claimed == 0)
        {
            return 0;
        }
        var subscriptionIds = claims.Select(c => c.SubscriptionId).Distinct().ToList();
        var eventIds = claims.Select(c => c.EventId).Distinct().ToList();
        var subscriptions = await db.Subscriptions.IgnoreQueryFilters().AsNoTracking()
            .Where(s => subscriptionIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, stoppingToken);
        var events = await db.EventLog.IgnoreQueryFilters().AsNoTracking()
            .Where(e => eventIds.Contains(e.EventId)).ToDictionaryAsync(e => e.EventId, stoppingToken);

        // A subscription deleted since the claim took its deliveries with it.
        claims = claims.Where(c => subscriptions.ContainsKey(c.SubscriptionId) && events.ContainsKey(c.EventId)).ToList();
        // A batch holds an event's deliveries to all its subscriptions side by side (owed at the same instant), and
        // those with the same scopes carry the same CloudEvent: encoded once each, not once per delivery.
        var encoded = new Dictionary<(Guid EventId, string Scopes), byte[]>();
        var bodies = claims.ToDictionary(claim => claim.Id, claim =>
        {
            var scopes = subscriptions[claim.SubscriptionId].Scopes;
            var key = (claim.EventId, string.Join(' ', scopes.Order(StringComparer.Ordinal)));
            if (!encoded.TryGetValue(key, out var body))
            {
                encoded[key] = body = CloudEventBody.Encode(events[claim.EventId], scopes);
            }
            return body;
        });
        var http = httpClients.CreateClient(HttpClientName);
        using var gate = new SemaphoreSlim(Math.Max(1, Settings.Concurrency));
        var outcomes = await Task.WhenAll(claims.Select(async claim =>
        {
            await gate.WaitAsync(stoppingToken);
            try
            {
                return await SendAsync(http, claim, subscriptions[claim.SubscriptionId], events[claim.EventId], bodies[claim.Id], stoppingToken);
            }
            finally
            {
                gate.Release();
            }
        }));
        await RecordAsync(db, scope.ServiceProvider, outcomes, stoppingToken);
        return claimed;
    }

    /// <summary>
    /// Due deliveries of active subscriptions; for an ordered subscription only its oldest pending one (the next waits
    /// until it is delivered or dead). Leased, not held: the transaction ends before anything is sent.
    /// </summary>
    private async Task<List<Claim>> ClaimAsync(IntegrationsDbContext db, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var lease = now + Settings.Timeout + TimeSpan.FromSeconds(30);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand("""
                WITH due AS (
                    SELECT d.id FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
                    WHERE d.status = 'pending' AND d.next_attempt_at <= @now AND s.status = 'active'
                      AND (NOT s.ordered OR NOT EXISTS (
                          SELECT 1 FROM deliveries e
                          WHERE e.subscription_id = d.subscription_id AND e.status = 'pending'
                            AND (e.event_sequence, e.id) < (d.event_sequence, d.id)))
                    ORDER BY d.next_attempt_at
                    LIMIT @limit
                    FOR UPDATE OF d SKIP LOCKED)
                UPDATE deliveries d SET next_attempt_at = @lease FROM due WHERE d.id = due.id
                RETURNING d.id, d.tenant_id, d.subscription_id, d.event_id, d.attempts
                """, connection);
            command.Parameters.AddWithValue("now", now);
            command.Parameters.AddWithValue("lease", lease);
            command.Parameters.AddWithValue("limit", Settings.BatchSize);
            var claims = new List<Claim>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                claims.Add(new Claim(reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetGuid(3), reader.GetInt32(4)));
            }
            return claims;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private async Task<Outcome> SendAsync(HttpClient http, Claim claim, Subscription subscription, EventLogEntry entry, byte[] body,
        CancellationToken stoppingToken)
    {
        if (subscription.Transport == SubscriptionTransport.Amqp)
        {
            return await PublishAsync(claim, subscription, entry, body, stoppingToken);
        }
        var attemptedAt = clock.GetUtcNow();
        var timestamp = attemptedAt.ToUnixTimeSeconds();
        var webhookId = entry.EventId.ToString();
        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Url!) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(CloudEventBody.ContentType + "; charset=utf-8");
        request.Headers.TryAddWithoutValidation("webhook-id", webhookId);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature",
            WebhookSignature.Sign(subscription.SigningSecrets(attemptedAt.UtcDateTime), webhookId, timestamp, body));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(Settings.Timeout);
        var watch = Stopwatch.StartNew();
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var code = (int)response.StatusCode;
            return new Outcome(claim, attemptedAt.UtcDateTime, code, (int)watch.ElapsedMilliseconds,
                code is >= 200 and < 300 ? null : $"HTTP {code} {response.ReasonPhrase}");
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return new Outcome(claim, attemptedAt.UtcDateTime, null, (int)watch.ElapsedMilliseconds, $"Timed out after {Settings.Timeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException ex)
        {
            return new Outcome(claim, attemptedAt.UtcDateTime, null, (int)watch.ElapsedMilliseconds, Truncate(ex.InnerException?.Message ?? ex.Message));
        }
    }

    /// <summary>The same CloudEvent as a webhook's body (structured mode), published to the subscription's queue.</summary>
    private async Task<Outcome> PublishAsync(Claim claim, Subscription subscription, EventLogEntry entry, byte[] body, CancellationToken stoppingToken)
    {
        var attemptedAt = clock.GetUtcNow();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(Settings.Timeout);
        var watch = Stopwatch.StartNew();
        try
        {
            await broker.PublishAsync(subscription.AmqpQueue!, entry.EventId, CloudEventBody.TypeOf(entry.Type),
                new DateTimeOffset(DateTime.SpecifyKind(entry.OccurredAt, DateTimeKind.Utc)), body, timeout.Token);
            return new Outcome(claim, attemptedAt.UtcDateTime, null, (int)watch.ElapsedMilliseconds, null);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return new Outcome(claim, attemptedAt.UtcDateTime, null, (int)watch.ElapsedMilliseconds, $"Not confirmed after {Settings.Timeout.TotalSeconds:0.###} s");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A returned message (its queue is gone), a nack, or a lost connection: retried like a failed request.
            return new Outcome(claim, attemptedAt.UtcDateTime, null, (int)watch.ElapsedMilliseconds, Truncate($"AMQP: {ex.Message}"));
        }
    }

    private static string Truncate(string message) => message.Length <= 1000 ? message : message[..1000];

    private async Task RecordAsync(IntegrationsDbContext db, IServiceProvider services, IReadOnlyList<Outcome> outcomes, CancellationToken stoppingToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(stoppingToken);
        // Each delivery's attempt is counted and logged set-based, in one statement for the batch rather than a tracked
        // entity and a row per delivery. A delivery no longer pending (dead-lettered or replayed meanwhile) is left as
        // it is. The claim's attempt count is current: the lease kept every other worker away.
        var ids = outcomes.Select(o => o.Claim.Id).ToArray();
        var attemptIds = outcomes.Select(_ => Guid.CreateVersion7()).ToArray();
        var attemptedAt = outcomes.Select(o => o.AttemptedAt).ToArray();
        var statusCodes = outcomes.Select(o => o.StatusCode).ToArray();
        var errors = outcomes.Select(o => o.Error).ToArray();
        var latencies = outcomes.Select(o => o.LatencyMs).ToArray();
        var retryAt = outcomes.Select(o => now + Settings.RetryDelay(o.Claim.Attempts + 1, Random.Shared.NextDouble())).ToArray();
        await db.Database.ExecuteSqlAsync($"""
            WITH outcome AS (
                SELECT * FROM unnest({ids}, {attemptIds}, {attemptedAt}, {statusCodes}, {errors}, {latencies}, {retryAt})
                    AS o(id, attempt_id, attempted_at, status_code, error, latency_ms, retry_at)),
            recorded AS (
                UPDATE deliveries d SET attempts = d.attempts + 1, last_status_code = o.status_code, last_error = o.error,
                    status = CASE WHEN o.error IS NULL THEN {DeliveryStatus.Delivered}
                                  WHEN d.attempts + 1 >= {Settings.MaxAttempts} THEN {DeliveryStatus.Dead} ELSE d.status END,
                    completed_at = CASE WHEN o.error IS NULL OR d.attempts + 1 >= {Settings.MaxAttempts} THEN {now} END,
                    next_attempt_at = CASE WHEN o.error IS NULL OR d.attempts + 1 >= {Settings.MaxAttempts} THEN d.next_attempt_at ELSE o.retry_at END
                FROM outcome o WHERE d.id = o.id AND d.status = {DeliveryStatus.Pending}
                RETURNING d.id, d.tenant_id)
            INSERT INTO delivery_attempts (id, tenant_id, delivery_id, attempted_at, status_code, latency_ms, error)
            SELECT o.attempt_id, r.tenant_id, r.id, o.attempted_at, o.status_code, o.latency_ms, o.error
            FROM recorded r JOIN outcome o ON o.id = r.id
            """, stoppingToken);

        // Health per subscription, outside the audited record (its version is the partner's ETag): a success clears
        // the failing streak; a failure starts it unless one is running.
        var succeeded = outcomes.Where(o => o.Delivered).Select(o => o.Claim.SubscriptionId).Distinct().ToArray();
        var failed = outcomes.Where(o => !o.Delivered).Select(o => o.Claim.SubscriptionId).Distinct().Except(succeeded).ToArray();
        if (succeeded.Length > 0)
        {
            await db.Database.ExecuteSqlAsync(
                $"UPDATE subscriptions SET failing_since = NULL WHERE id = ANY({succeeded}) AND failing_since IS NOT NULL", stoppingToken);
        }
        if (failed.Length > 0)
        {
            await db.Database.ExecuteSqlAsync(
                $"UPDATE subscriptions SET failing_since = {now} WHERE id = ANY({failed}) AND failing_since IS NULL", stoppingToken);
        }
        await transaction.CommitAsync(stoppingToken);
        if (failed.Length > 0)
        {
            await DisableFailingAsync(db, services, failed, now, stoppingToken);
        }
    }

    /// <summary>
    /// Disables the subscriptions among <paramref name="failed"/> whose every attempt has failed for
    /// <see cref="WebhookSettings.DisableAfter"/>, with an email to the tenant's admins in the same commit. Another worker
    /// may disable the same one at the same moment: the loser's save fails on the version and changes nothing.
    /// </summary>
    private async Task DisableFailingAsync(IntegrationsDbContext db, IServiceProvider services, Guid[] failed, DateTime now, CancellationToken stoppingToken)
    {
        db.ChangeTracker.Clear();
        var threshold = now - Settings.DisableAfter;
        var disabled = await db.Subscriptions.IgnoreQueryFilters()
            .Where(s => failed.Contains(s.Id) && s.Status == SubscriptionStatus.Active && s.FailingSince <= threshold)
            .ToListAsync(stoppingToken);
        if (disabled.Count == 0)
        {
            return;
        }
        foreach (var subscription in disabled)
        {
            subscription.Status = SubscriptionStatus.Disabled;
            subscription.DisabledReason = $"Every delivery attempt failed since {subscription.FailingSince:u}.";
            await NotifyAdminsAsync(db, subscription, now, stoppingToken);
        }
        try
        {
            await db.SaveChangesAsync(stoppingToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return;
        }
        EmailOutbox.WakeSender(services);
        foreach (var subscription in disabled)
        {
            logger.LogWarning("Webhook subscription {SubscriptionId} of tenant {TenantId} disabled after sustained failure",
                subscription.Id, subscription.TenantId);
        }
    }

    private static async Task NotifyAdminsAsync(IntegrationsDbContext db, Subscription subscription, DateTime now, CancellationToken cancellationToken)
    {
        var admins = await db.TenantAdmins.IgnoreQueryFilters().AsNoTracking()
            .Where(a => a.TenantId == subscription.TenantId && a.IsAdmin)
            .Select(a => a.Email).ToListAsync(cancellationToken);
        foreach (var email in admins)
        {
            var target = subscription.Url ?? $"AMQP queue {subscription.AmqpQueue}";
            var message = OutgoingEmail.Create(email, $"Webhook disabled: {target}",
                $"""
                The event subscription {subscription.Id} ({target}) has been disabled: {subscription.DisabledReason}

                Nothing is sent to it until it is enabled again (PUT /api/v1/event-subscriptions/{subscription.Id} with "status": "active").
                Deliveries that were pending resume then; events of the time in between can be replayed
                (POST /api/v1/event-subscriptions/{subscription.Id}/replay). The delivery log shows what the endpoint answered:
                GET /api/v1/event-subscriptions/{subscription.Id}/deliveries.
                """, null, now.AddDays(7), now);
            message.TenantId = subscription.TenantId;
            db.OutgoingEmails.Add(message);
        }
    }
}
