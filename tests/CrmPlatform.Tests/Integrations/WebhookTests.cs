using System.Net;
using System.Text.Json;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.Contracts.Service.V1;
using CrmPlatform.Integrations.Data;
using CrmPlatform.Integrations.Delivery;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmPlatform.Tests.Integrations;

/// <summary>
/// Partners' webhooks end to end: events published on the real broker, logged by Integrations, delivered over real HTTP
/// to a local receiver, signed per Standard Webhooks and checked with an independent implementation (npm
/// <c>standardwebhooks</c>). The retry schedule is shortened to fractions of a second. Each test works in tenants of its own.
/// </summary>
public sealed class WebhookTests(WebhookTests.Fixture fixture) : IClassFixture<WebhookTests.Fixture>
{
    public const int MaxAttempts = 10;

    public sealed class Fixture : IAsyncLifetime
    {
        public PlatformServices Platform { get; private set; } = null!;
        public MailSink Mail { get; private set; } = null!;
        public WebhookReceiver Receiver { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Mail = MailSink.Start();
            Receiver = await WebhookReceiver.StartAsync();
            Platform = await PlatformServices.StartOnSharedBrokerAsync(integrationsSettings: new Dictionary<string, string>
            {
                ["ConnectionStrings:mail"] = Mail.ConnectionString,
                ["Integrations:Webhooks:Timeout"] = "00:00:02",
                ["Integrations:Webhooks:BaseDelay"] = "00:00:00.100",
                ["Integrations:Webhooks:MaxDelay"] = "00:00:00.400",
                ["Integrations:Webhooks:MaxAttempts"] = MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Integrations:Webhooks:DisableAfter"] = "00:00:08",
                ["Integrations:Webhooks:PollInterval"] = "00:00:00.200",
            });
        }

        public async Task DisposeAsync()
        {
            await Platform.DisposeAsync();
            await Receiver.DisposeAsync();
            await Mail.DisposeAsync();
        }
    }

    private PlatformServices Platform => fixture.Platform;
    private WebhookReceiver Receiver => fixture.Receiver;
    private IBus Bus => Platform.Integrations.Services.GetRequiredService<IBus>();

    private const string Csat = "Service.V1.CsatReceived";

    private static CsatReceived CsatEvent(Guid tenantId, DateTime? occurredAt = null, string rating = "good") =>
        new(Guid.CreateVersion7(), occurredAt ?? DateTime.UtcNow, tenantId, Guid.CreateVersion7(), 1, Guid.CreateVersion7(), 42, null, rating,
            false, null, null, occurredAt ?? DateTime.UtcNow);

    private async Task<(Guid TenantId, HttpClient Api)> NewTenantAsync()
    {
        var (tenantId, token) = await Platform.Identity.NewTenantAsync();
        return (tenantId, Platform.ClientFor(Platform.Integrations, token));
    }

    private static Task<JsonElement> SubscribeAsync(HttpClient api, string url, string[]? eventTypes = null, string[]? scopes = null, object? filter = null) =>
        api.PostJsonAsync("/api/v1/event-subscriptions", new { url, eventTypes = eventTypes ?? [Csat], scopes, filter }).CreatedAsync();

    private Task<IReadOnlyList<Receipt>> DeliveredAsync(string url, IEnumerable<Guid> eventIds, TimeSpan? timeout = null)
    {
        var ids = eventIds.Select(id => id.ToString()).ToHashSet();
        return Eventually.ReturnsAsync(() => Task.FromResult(Receiver.For(url)),
            receipts => ids.IsSubsetOf(receipts.Where(r => r.Delivered).Select(r => r.WebhookId)),
            $"{ids.Count} events were delivered to {url}", timeout ?? TimeSpan.FromSeconds(60));
    }

    private static async Task<T> QueryAsync<T>(PlatformServices platform, Guid tenantId, Func<IntegrationsDbContext, Task<T>> query)
    {
        await using var scope = platform.Integrations.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().TenantId = tenantId;
        return await query(scope.ServiceProvider.GetRequiredService<IntegrationsDbContext>());
    }

    [Fact]
    public async Task A_flaky_receiver_gets_every_event_at_least_once_and_its_signatures_verify_with_standardwebhooks_across_a_rotation()
    {
        var (tenantId, api) = await NewTenantAsync();
        var url = Receiver.Endpoint(WebhookReceiver.Flaky(0.35));
        var subscription = await SubscribeAsync(api, url);
        var oldSecret = subscription.Str("secret");
        Assert.StartsWith("whsec_", oldSecret);
        Assert.True(Convert.FromBase64String(oldSecret["whsec_".Length..]).Length >= 24);

        var before = Enumerable.Range(0, 25).Select(_ => CsatEvent(tenantId)).ToList();
        await Task.WhenAll(before.Select(e => Bus.Publish(e)));
        await DeliveredAsync(url, before.Select(e => e.EventId));

        var rotated = await api.SendJsonAsync(HttpMethod.Post, $"/api/v1/event-subscriptions/{subscription.Id()}/rotate-secret", ifMatch: Api.AnyVersion);
        Assert.Equal(HttpStatusCode.OK, rotated.Status);
        var newSecret = rotated.Body.Str("secret");
        Assert.NotEqual(oldSecret, newSecret);
        var rotatedAt = System.Diagnostics.Stopwatch.GetTimestamp();

        var after = Enumerable.Range(0, 25).Select(_ => CsatEvent(tenantId, rating: "bad")).ToList();
        await Task.WhenAll(after.Select(e => Bus.Publish(e)));
        var receipts = await DeliveredAsync(url, after.Select(e => e.EventId));

        // Every kind of failure happened, and was retried until delivered.
        Assert.Contains(receipts, r => r.Answer == ReceiverAnswer.ServerError);
        Assert.Contains(receipts, r => r.Answer is ReceiverAnswer.Reset or ReceiverAnswer.TooSlow);

        // The body is a CloudEvent carrying the event.
        var sample = receipts.First(r => r.WebhookId == before[0].EventId.ToString()).CloudEvent;
        Assert.Equal("1.0", sample.Str("specversion"));
        Assert.Equal("crmplatform.service.csat-received.v1", sample.Str("type"));
        Assert.Equal(before[0].EventId.ToString(), sample.Str("id"));
        Assert.Equal(before[0].AggregateId.ToString(), sample.Str("subject"));
        Assert.Equal(tenantId.ToString(), sample.Str("tenantid"));
        Assert.Equal("good", sample.GetProperty("data").Str("rating"));

        // Independent verification: before the rotation with the old secret; after it, with either secret.
        var afterIds = after.Select(e => e.EventId.ToString()).ToHashSet();
        var checks = receipts.Where(r => !afterIds.Contains(r.WebhookId) && r.ReceivedAtTicks < rotatedAt).Select(r => (r, oldSecret))
            .Concat(receipts.Where(r => afterIds.Contains(r.WebhookId)).SelectMany(r => new[] { (r, oldSecret), (r, newSecret) }))
            .ToList();
        var tampered = receipts[0] with { Body = [.. receipts[0].Body, (byte)' '] };
        var verified = await WebhookReceiver.VerifyWithStandardWebhooksAsync([.. checks, (tampered, oldSecret), (tampered, newSecret)]);
        Assert.All(verified.Take(checks.Count), Assert.True);
        Assert.Equal([false, false], verified.Skip(checks.Count));
        Assert.True(checks.Count >= 75, $"only {checks.Count} signature checks");

        // The delivery log shows the failed attempts and the final success of each event.
        var log = await Eventually.ReturnsAsync(
            () => api.GetJsonAsync($"/api/v1/event-subscriptions/{subscription.Id()}/deliveries?limit=200"),
            page => page.Items().Count == 50 && page.Items().All(d => d.Str("status") == "delivered"), "every delivery is recorded delivered");
        var retried = log.Items().Where(d => d.GetProperty("attempts").GetInt32() > 1).ToList();
        Assert.NotEmpty(retried);
        Assert.All(log.Items(), d => Assert.Equal(d.GetProperty("attempts").GetInt32(), d.GetProperty("attemptLog").GetArrayLength()));
        Assert.Contains(retried.SelectMany(d => d.GetProperty("attemptLog").EnumerateArray()),
            a => a.GetProperty("statusCode").ValueKind == JsonValueKind.Number && a.GetProperty("statusCode").GetInt32() == 500);
        Assert.Contains(retried.SelectMany(d => d.GetProperty("attemptLog").EnumerateArray()),
            a => a.GetProperty("statusCode").ValueKind == JsonValueKind.Null && a.Str("error").Length > 0);
    }

    [Fact]
    public async Task An_ordered_subscription_gets_each_event_only_after_the_previous_one_was_delivered()
    {
        var (tenantId, api) = await NewTenantAsync();
        var url = Receiver.Endpoint(WebhookReceiver.Flaky(0.3));
        var created = await api.PostJsonAsync("/api/v1/event-subscriptions", new { url, eventTypes = new[] { Csat }, ordered = true }).CreatedAsync();
        Assert.True(created.GetProperty("ordered").GetBoolean());
        var events = Enumerable.Range(0, 15).Select(_ => CsatEvent(tenantId)).ToList();
        await Task.WhenAll(events.Select(e => Bus.Publish(e)));
        var receipts = await DeliveredAsync(url, events.Select(e => e.EventId));

        // The order is the event log's (the order Integrations took the events in).
        var ids = events.Select(e => e.EventId).ToList();
        var order = await QueryAsync(Platform, tenantId, db => db.EventLog.Where(e => ids.Contains(e.EventId)).OrderBy(e => e.Sequence)
            .Select(e => e.EventId.ToString()).ToListAsync());
        var firstDelivered = order.Select(id => receipts.ToList().FindIndex(r => r.WebhookId == id && r.Delivered)).ToList();
        for (var i = 0; i < order.Count; i++)
        {
            var firstSeen = receipts.ToList().FindIndex(r => r.WebhookId == order[i]);
            Assert.True(i == 0 || firstSeen > firstDelivered[i - 1], $"event {i} was sent before event {i - 1} was delivered");
        }
        Assert.Contains(receipts, r => !r.Delivered);
    }

    [Fact]
    public async Task Replay_by_time_range_or_from_an_event_id_redelivers_exactly_those_events_with_their_webhook_id()
    {
        var (tenantId, api) = await NewTenantAsync();
        var url = Receiver.Endpoint();
        var subscription = await SubscribeAsync(api, url);
        var start = DateTime.UtcNow.AddHours(-1);
        var events = Enumerable.Range(0, 6).Select(i => CsatEvent(tenantId, start.AddMinutes(i * 10))).ToList();
        foreach (var e in events)
        {
            await Bus.Publish(e);
        }
        await DeliveredAsync(url, events.Select(e => e.EventId));
        var firstRound = Receiver.For(url).Count;

        var byTime = await api.PostJsonAsync($"/api/v1/event-subscriptions/{subscription.Id()}/replay",
            new { from = start.AddMinutes(10), to = start.AddMinutes(30) });
        Assert.Equal(HttpStatusCode.Accepted, byTime.Status);
        Assert.Equal(2, byTime.Body.GetProperty("queued").GetInt32());
        await Eventually.ReturnsAsync(() => Task.FromResult(Receiver.For(url).Skip(firstRound).ToList()), r => r.Count >= 2, "the replay arrived");
        await Task.Delay(500);
        // Exactly those events (a receipt may repeat when an answer was late: at least once).
        Assert.Equal(
            new[] { events[1].EventId, events[2].EventId }.Select(id => id.ToString()).Order(),
            Receiver.For(url).Skip(firstRound).Select(r => r.WebhookId).Distinct().Order());

        var secondRound = Receiver.For(url).Count;
        var fromId = await api.PostJsonAsync($"/api/v1/event-subscriptions/{subscription.Id()}/replay", new { fromEventId = events[3].EventId });
        Assert.Equal(3, fromId.Body.GetProperty("queued").GetInt32());
        await Eventually.ReturnsAsync(() => Task.FromResult(Receiver.For(url).Skip(secondRound).ToList()), r => r.Count >= 3, "the replay arrived");
        await Task.Delay(500);
        // From an event on: it and every event that happened after it.
        Assert.Equal(events.Skip(3).Select(e => e.EventId.ToString()).Order(), Receiver.For(url).Skip(secondRound).Select(r => r.WebhookId).Distinct().Order());

        (await api.PostJsonAsync($"/api/v1/event-subscriptions/{subscription.Id()}/replay", new { from = start })).AssertProblem(HttpStatusCode.BadRequest);
        (await api.PostJsonAsync($"/api/v1/event-subscriptions/{subscription.Id()}/replay", new { fromEventId = Guid.NewGuid() }))
            .AssertProblem(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task A_delivery_failing_every_attempt_becomes_a_dead_letter_and_sustained_failure_disables_the_subscription_and_emails_the_admins()
    {
        var (tenantId, token) = await Platform.Identity.NewTenantAsync();
        var api = Platform.ClientFor(Platform.Integrations, token);
        using var identity = Platform.Identity.ClientWith(token);
        var adminEmail = $"admin-{Guid.NewGuid():N}@example.com";
        (await identity.PostJsonAsync("/api/v1/users", new { email = adminEmail, displayName = "Admin", password = "correct horse", roles = new[] { Roles.Admin } }))
            .Body.Id();
        await Eventually.TrueAsync(() => QueryAsync(Platform, tenantId, db => db.TenantAdmins.AnyAsync(a => a.Email == adminEmail && a.IsAdmin)),
            "Integrations knows the tenant's admin");

        var url = Receiver.Endpoint(() => ReceiverAnswer.ServerError);
        var subscription = await SubscribeAsync(api, url);
        var doomed = CsatEvent(tenantId);
        await Bus.Publish(doomed);
        var dead = await Eventually.ReturnsAsync(
            () => api.GetJsonAsync($"/api/v1/event-subscriptions/{subscription.Id()}/deliveries?status=dead"),
            page => page.Items().Count == 1, "the delivery is a dead letter");
        var letter = dead.Items()[0];
        Assert.Equal(doomed.EventId, letter.GetProperty("eventId").GetGuid());
        Assert.Equal(MaxAttempts, letter.GetProperty("attempts").GetInt32());
        Assert.Equal(MaxAttempts, Receiver.For(url).Count);
        Assert.All(letter.GetProperty("attemptLog").EnumerateArray(), a => Assert.Equal(500, a.GetProperty("statusCode").GetInt32()));

        // Re-sent once the receiver works again.
        Receiver.Answer(url, () => ReceiverAnswer.Ok);
        var resend = await api.SendJsonAsync(HttpMethod.Post, $"/api/v1/event-subscriptions/{subscription.Id()}/deliveries/{letter.Id()}/resend");
        Assert.Equal(HttpStatusCode.Accepted, resend.Status);
        await DeliveredAsync(url, [doomed.EventId]);
        (await api.SendJsonAsync(HttpMethod.Post, $"/api/v1/event-subscriptions/{subscription.Id()}/deliveries/{letter.Id()}/resend"))
            .AssertProblem(HttpStatusCode.Conflict);

        // Failing for longer than DisableAfter (4 s): disabled, and the admin hears of it.
        Receiver.Answer(url, () => ReceiverAnswer.ServerError);
        var disabled = await Eventually.ReturnsAsync(async () =>
        {
            await Bus.Publish(CsatEvent(tenantId));
            await Task.Delay(700);
            return await api.GetJsonAsync($"/api/v1/event-subscriptions/{subscription.Id()}");
        }, s => s.Body.Str("status") == "disabled", "the subscription is disabled", TimeSpan.FromSeconds(60));
        Assert.Contains("failed", disabled.Body.Str("disabledReason"));
        var mail = await Eventually.ReturnsAsync(() => Task.FromResult(fixture.Mail.Store.Messages.Where(m => m.To.Contains(adminEmail)).ToList()),
            m => m.Count > 0, "the admin got an email");
        Assert.Contains(url, mail[0].Subject);

        // Disabled: nothing more is sent.
        await Task.Delay(1000);
        var count = Receiver.For(url).Count;
        await Bus.Publish(CsatEvent(tenantId));
        await Task.Delay(1500);
        Assert.Equal(count, Receiver.For(url).Count);
    }

    [Fact]
    public async Task Without_people_read_a_subscription_gets_no_names_and_an_erased_persons_events_replay_without_their_data()
    {
        var (tenantId, token) = await Platform.Identity.NewTenantAsync();
        var api = Platform.ClientFor(Platform.Integrations, token);
        using var contacts = Platform.ClientFor(Platform.Contacts, token);
        var bare = Receiver.Endpoint();
        var trusted = Receiver.Endpoint();
        await SubscribeAsync(api, bare, ["Contacts.V1.PersonCreated"]);
        var trustedSubscription = await SubscribeAsync(api, trusted, ["Contacts.V1.PersonCreated"], [CrmPlatform.Integrations.Events.FieldProtection.PeopleRead]);

        var person = await contacts.PostJsonAsync("/api/v1/people", Api.NewPerson(firstName: "Grace", lastName: "Hopper")).CreatedAsync();
        var bareReceipt = (await Eventually.ReturnsAsync(() => Task.FromResult(Receiver.For(bare)), r => r.Count > 0, "the event reached the bare subscription"))[0];
        var trustedReceipt = (await Eventually.ReturnsAsync(() => Task.FromResult(Receiver.For(trusted)), r => r.Count > 0, "the event reached the trusted one"))[0];

        var hidden = bareReceipt.CloudEvent.GetProperty("data").GetProperty("person");
        Assert.False(hidden.TryGetProperty("firstName", out _));
        Assert.False(hidden.TryGetProperty("lastName", out _));
        Assert.False(hidden.TryGetProperty("email", out _));
        Assert.False(hidden.TryGetProperty("emails", out _));
        Assert.Equal("Analyst", hidden.Str("jobTitle"));
        var shown = trustedReceipt.CloudEvent.GetProperty("data").GetProperty("person");
        Assert.Equal("Grace", shown.Str("firstName"));
        Assert.Equal(person.Str("email"), shown.Str("email"));

        // Erased: the log no longer holds their data, so a replay cannot send it, whatever the scopes.
        await Bus.Publish(new PersonErasureRequested(Guid.CreateVersion7(), DateTime.UtcNow, tenantId, Guid.CreateVersion7(), 1, person.Id()));
        await Eventually.TrueAsync(() => QueryAsync(Platform, tenantId, db => db.EventLog.AnyAsync(e => e.PersonId == person.Id() && e.Redacted != null)),
            "the person's events are redacted");
        await Eventually.ReturnsAsync(() => QueryAsync(Platform, tenantId, db => db.EventLog
                .Where(e => e.Type == "Gdpr.V1.PersonErasureConfirmed" && e.PersonId == person.Id()).Select(e => e.Payload).ToListAsync()),
            confirmations => confirmations.Any(c => JsonDocument.Parse(c).RootElement.Str("service") == "integrations"),
            "Integrations confirmed the erasure");
        var seen = Receiver.For(trusted).Count;
        var replay = await api.PostJsonAsync($"/api/v1/event-subscriptions/{trustedSubscription.Id()}/replay",
            new { fromEventId = Guid.Parse(trustedReceipt.WebhookId) });
        Assert.Equal(HttpStatusCode.Accepted, replay.Status);
        var replayed = (await Eventually.ReturnsAsync(() => Task.FromResult(Receiver.For(trusted)), r => r.Count > seen, "the replay arrived"))[seen];
        Assert.Equal(trustedReceipt.WebhookId, replayed.WebhookId);
        var erased = replayed.CloudEvent.GetProperty("data").GetProperty("person");
        Assert.False(erased.TryGetProperty("firstName", out _));
        Assert.False(erased.TryGetProperty("email", out _));
        Assert.DoesNotContain("Hopper", System.Text.Encoding.UTF8.GetString(replayed.Body));
    }

    [Fact]
    public async Task A_tenant_gets_only_its_own_events_sees_only_its_own_subscriptions_and_only_admins_manage_them()
    {
        var (tenantA, apiA) = await NewTenantAsync();
        var (tenantB, apiB) = await NewTenantAsync();
        var urlA = Receiver.Endpoint();
        var urlB = Receiver.Endpoint();
        var subscriptionA = await SubscribeAsync(apiA, urlA);
        await SubscribeAsync(apiB, urlB);

        var eventA = CsatEvent(tenantA);
        var eventB = CsatEvent(tenantB);
        await Bus.Publish(eventA);
        await Bus.Publish(eventB);
        await DeliveredAsync(urlA, [eventA.EventId]);
        await DeliveredAsync(urlB, [eventB.EventId]);
        await Task.Delay(500);
        Assert.Equal([eventA.EventId.ToString()], Receiver.For(urlA).Select(r => r.WebhookId).Distinct());
        Assert.Equal([eventB.EventId.ToString()], Receiver.For(urlB).Select(r => r.WebhookId).Distinct());

        (await apiB.GetJsonAsync($"/api/v1/event-subscriptions/{subscriptionA.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        (await apiB.GetJsonAsync($"/api/v1/event-subscriptions/{subscriptionA.Id()}/deliveries")).AssertProblem(HttpStatusCode.NotFound);
        Assert.Single((await apiB.GetJsonAsync("/api/v1/event-subscriptions")).Items());
        Assert.Equal(subscriptionA.Id(), Assert.Single((await apiA.GetJsonAsync("/api/v1/event-subscriptions")).Items()).Id());
        Assert.False((await apiA.GetJsonAsync($"/api/v1/event-subscriptions/{subscriptionA.Id()}")).Body.TryGetProperty("secret", out var secret)
            && secret.ValueKind == JsonValueKind.String, "the secret is shown only at creation");

        var rep = Platform.ClientFor(Platform.Integrations, await Platform.Identity.NewClientTokenAsync(tenantA, Roles.SalesRep));
        (await rep.GetJsonAsync("/api/v1/event-subscriptions")).AssertProblem(HttpStatusCode.Forbidden);
        (await rep.PostJsonAsync("/api/v1/event-subscriptions", new { url = urlA, eventTypes = new[] { Csat } })).AssertProblem(HttpStatusCode.Forbidden);

        // Validation against the catalogue, and the ETag.
        (await apiA.PostJsonAsync("/api/v1/event-subscriptions", new { url = urlA, eventTypes = new[] { "Contacts.V1.NoSuchEvent" } }))
            .AssertProblem(HttpStatusCode.BadRequest);
        (await apiA.PostJsonAsync("/api/v1/event-subscriptions", new { url = urlA, eventTypes = new[] { Csat }, scopes = new[] { "everything" } }))
            .AssertProblem(HttpStatusCode.BadRequest);
        (await apiA.PutJsonAsync($"/api/v1/event-subscriptions/{subscriptionA.Id()}", new { url = urlA, eventTypes = new[] { Csat } }, "\"99\""))
            .AssertProblem(HttpStatusCode.PreconditionFailed);
        var updated = await apiA.PutJsonAsync($"/api/v1/event-subscriptions/{subscriptionA.Id()}",
            new { url = urlA, eventTypes = new[] { Csat }, filter = new { rating = "bad" } }, subscriptionA.ETag());
        Assert.Equal(HttpStatusCode.OK, updated.Status);

        // The filter: only bad ratings now.
        var good = CsatEvent(tenantA);
        var bad = CsatEvent(tenantA, rating: "bad");
        await Bus.Publish(good);
        await Bus.Publish(bad);
        await DeliveredAsync(urlA, [bad.EventId]);
        await Task.Delay(500);
        Assert.DoesNotContain(good.EventId.ToString(), Receiver.For(urlA).Select(r => r.WebhookId));
    }

    [Fact]
    public async Task Loopback_private_and_plain_http_targets_are_refused_when_the_development_setting_is_off()
    {
        var servers = await TestServers.GetAsync();
        await using var strict = new ServiceFactory<IntegrationsDbContext>(new Dictionary<string, string>
        {
            ["ConnectionStrings:integrationsdb"] = await servers.CreateDatabaseAsync("integrationsdb"),
            ["ConnectionStrings:messaging"] = await servers.CreateVirtualHostAsync(),
            ["services:identity:http:0"] = Platform.Identity.Address,
            ["Integrations:Webhooks:AllowPrivateTargets"] = "false",
        });
        var (_, token) = await Platform.Identity.NewTenantAsync();
        var api = Platform.ClientFor(strict, token);
        foreach (var url in new[] { "https://127.0.0.1/", "http://10.0.0.1", "https://[::1]/hook", "https://localhost/hook", "https://192.168.1.10/",
                     "https://169.254.169.254/latest", "https://100.64.0.1/", "https://[fd00::1]/", "https://[::ffff:127.0.0.1]/", "http://example.com/" })
        {
            var answer = await api.PostJsonAsync("/api/v1/event-subscriptions", new { url, eventTypes = new[] { Csat } });
            answer.AssertProblem(HttpStatusCode.UnprocessableEntity);
            Assert.True(answer.Body.GetProperty("errors").TryGetProperty("url", out _), url);
        }
        Assert.Empty((await api.GetJsonAsync("/api/v1/event-subscriptions")).Items());

        // At connect time too: the dispatcher's own client refuses to dial a loopback address, whatever the name said.
        var client = strict.Services.GetRequiredService<IHttpClientFactory>().CreateClient(WebhookDispatcher.HttpClientName);
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => client.PostAsync(Receiver.Endpoint(), new StringContent("{}")));
        Assert.Contains("SSRF", refused.Message + refused.InnerException?.Message);
        Assert.DoesNotContain(Receiver.Receipts, r => r.Body.Length == 2);
    }
}
