using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using CrmPlatform.Contracts.Service.V1;
using CrmPlatform.Integrations.Data;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace CrmPlatform.Tests.Integrations;

/// <summary>
/// Partners' AMQP subscriptions on the real broker: Integrations provisions a queue and a user through the management
/// API; the tests connect with RabbitMQ.Client exactly as a partner would, with the credentials the API returned, and
/// check what that user receives and what the broker refuses it. Also Idempotency-Key on the subscription create.
/// </summary>
public sealed class AmqpDeliveryTests(AmqpDeliveryTests.Fixture fixture) : IClassFixture<AmqpDeliveryTests.Fixture>
{
    public sealed class Fixture : IAsyncLifetime
    {
        public PlatformServices Platform { get; private set; } = null!;

        public async Task InitializeAsync() => Platform = await PlatformServices.StartOnSharedBrokerAsync(integrationsSettings: new Dictionary<string, string>
        {
            ["Integrations:Webhooks:BaseDelay"] = "00:00:00.100",
            ["Integrations:Webhooks:MaxDelay"] = "00:00:00.400",
            ["Integrations:Webhooks:PollInterval"] = "00:00:00.200",
        });

        public async Task DisposeAsync() => await Platform.DisposeAsync();
    }

    private PlatformServices Platform => fixture.Platform;
    private IBus Bus => Platform.Integrations.Services.GetRequiredService<IBus>();

    private const string Csat = "Service.V1.CsatReceived";
    private const string ContactsMerged = "Contacts.V1.ContactsMerged";

    private static CsatReceived CsatEvent(Guid tenantId, string rating = "good") =>
        new(Guid.CreateVersion7(), DateTime.UtcNow, tenantId, Guid.CreateVersion7(), 1, Guid.CreateVersion7(), 42, null, rating,
            false, null, null, DateTime.UtcNow);

    private async Task<(Guid TenantId, HttpClient Api)> NewTenantAsync()
    {
        var (tenantId, token) = await Platform.Identity.NewTenantAsync();
        return (tenantId, Platform.ClientFor(Platform.Integrations, token));
    }

    private static Task<JsonElement> SubscribeAsync(HttpClient api, string[]? eventTypes = null) =>
        api.PostJsonAsync("/api/v1/event-subscriptions", new { transport = "amqp", eventTypes = eventTypes ?? [Csat] }).CreatedAsync();

    /// <summary>A partner's connection, from the answer to the create alone.</summary>
    private static Task<IConnection> ConnectAsPartnerAsync(JsonElement subscription, string? password = null)
    {
        var amqp = subscription.GetProperty("amqp");
        var factory = new ConnectionFactory { Uri = new Uri(amqp.Str("uri")), AutomaticRecoveryEnabled = false };
        factory.Password = password ?? amqp.Str("password");
        return factory.CreateConnectionAsync();
    }

    private sealed record Received(string Body, IReadOnlyBasicProperties Properties);

    private static async Task<ConcurrentQueue<Received>> ConsumeAsync(IChannel channel, string queue)
    {
        var received = new ConcurrentQueue<Received>();
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            received.Enqueue(new Received(System.Text.Encoding.UTF8.GetString(delivery.Body.Span), delivery.BasicProperties));
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
        };
        await channel.BasicConsumeAsync(queue, autoAck: false, consumer);
        return received;
    }

    private Task<IConnection> PlatformConnectionAsync() =>
        new ConnectionFactory { Uri = new Uri(Platform.Integrations.Services.GetRequiredService<IConfiguration>().GetConnectionString("messaging")!) }
            .CreateConnectionAsync();

    private static async Task<T> QueryAsync<T>(PlatformServices platform, Guid tenantId, Func<IntegrationsDbContext, Task<T>> query)
    {
        await using var scope = platform.Integrations.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().TenantId = tenantId;
        return await query(scope.ServiceProvider.GetRequiredService<IntegrationsDbContext>());
    }

    [Fact]
    public async Task A_partner_with_the_returned_credentials_receives_only_its_tenants_events_of_the_chosen_types_as_cloudevents()
    {
        var (tenantId, api) = await NewTenantAsync();
        var (otherTenant, otherApi) = await NewTenantAsync();
        var subscription = await SubscribeAsync(api);
        await SubscribeAsync(otherApi);
        Assert.Equal("amqp", subscription.Str("transport"));
        Assert.Equal(JsonValueKind.Null, subscription.GetProperty("url").ValueKind);
        Assert.Equal(JsonValueKind.Null, subscription.GetProperty("secret").ValueKind);
        var amqp = subscription.GetProperty("amqp");
        var password = amqp.Str("password");
        Assert.True(password.Length >= 24);
        Assert.DoesNotContain(password, amqp.Str("uri"));
        Assert.StartsWith($"amqp://{amqp.Str("username")}@127.0.0.1:", amqp.Str("uri"));
        // The password is shown once.
        var again = await api.GetJsonAsync($"/api/v1/event-subscriptions/{subscription.Id()}");
        Assert.Equal(JsonValueKind.Null, again.Body.GetProperty("amqp").GetProperty("password").ValueKind);
        Assert.Equal(amqp.Str("queue"), again.Body.GetProperty("amqp").Str("queue"));

        await using var partner = await ConnectAsPartnerAsync(subscription);
        await using var channel = await partner.CreateChannelAsync();
        var received = await ConsumeAsync(channel, amqp.Str("queue"));

        // Another tenant's event of the chosen type, and this tenant's event of another type: neither is owed.
        var otherTenantsEvent = CsatEvent(otherTenant);
        var survivor = Guid.CreateVersion7();
        var otherType = new CrmPlatform.Contracts.Contacts.V1.ContactsMerged(Guid.CreateVersion7(), DateTime.UtcNow, tenantId, survivor, 2,
            Guid.CreateVersion7(), "person", survivor, [Guid.CreateVersion7()]);
        await Bus.Publish(otherTenantsEvent);
        await Bus.Publish(otherType);
        var chosen = new[] { CsatEvent(tenantId), CsatEvent(tenantId, rating: "bad") };
        foreach (var e in chosen)
        {
            await Bus.Publish(e);
        }

        var ids = chosen.Select(e => e.EventId.ToString()).ToHashSet();
        await Eventually.TrueAsync(() => Task.FromResult(ids.IsSubsetOf(received.Select(r => r.Properties.MessageId!))), "the partner received both events");
        // Both decoys were logged (and owed to whom they were owed in the same transaction), so none can still come.
        await Eventually.TrueAsync(() => QueryAsync(Platform, otherTenant, db => db.EventLog.AnyAsync(e => e.EventId == otherTenantsEvent.EventId)),
            "the other tenant's event is logged");
        await Eventually.TrueAsync(() => QueryAsync(Platform, tenantId, db => db.EventLog.AnyAsync(e => e.EventId == otherType.EventId)),
            "the other type's event is logged");
        var owed = await QueryAsync(Platform, tenantId, db => db.Deliveries.Where(d => d.SubscriptionId == subscription.Id()).Select(d => d.EventId).ToListAsync());
        Assert.Equal(ids, owed.Select(id => id.ToString()).ToHashSet());
        await Task.Delay(500);
        Assert.Equal(ids, received.Select(r => r.Properties.MessageId!).ToHashSet());
        Assert.Equal(2, received.Count);

        // A CloudEvent in structured mode, persistent, the event id as message id.
        var first = received.Single(r => r.Properties.MessageId == chosen[0].EventId.ToString());
        Assert.StartsWith("application/cloudevents+json", first.Properties.ContentType);
        Assert.Equal(DeliveryModes.Persistent, first.Properties.DeliveryMode);
        Assert.Equal("crmplatform.service.csat-received.v1", first.Properties.Type);
        var cloudEvent = JsonDocument.Parse(first.Body).RootElement;
        Assert.Equal("1.0", cloudEvent.Str("specversion"));
        Assert.Equal("crmplatform.service.csat-received.v1", cloudEvent.Str("type"));
        Assert.Equal("/crmplatform/service", cloudEvent.Str("source"));
        Assert.Equal(chosen[0].EventId.ToString(), cloudEvent.Str("id"));
        Assert.Equal(chosen[0].AggregateId.ToString(), cloudEvent.Str("subject"));
        Assert.Equal(tenantId.ToString(), cloudEvent.Str("tenantid"));
        Assert.Equal("good", cloudEvent.GetProperty("data").Str("rating"));

        // The delivery log records the confirmed publishes.
        var log = await Eventually.ReturnsAsync(() => api.GetJsonAsync($"/api/v1/event-subscriptions/{subscription.Id()}/deliveries"),
            page => page.Items().Count == 2 && page.Items().All(d => d.Str("status") == "delivered"), "both deliveries are recorded delivered");
        Assert.All(log.Items(), d => Assert.Equal(JsonValueKind.Null, d.GetProperty("lastStatusCode").ValueKind));

        // AMQP subscriptions have no signing secret, nor can their transport change.
        (await api.SendJsonAsync(HttpMethod.Post, $"/api/v1/event-subscriptions/{subscription.Id()}/rotate-secret", ifMatch: Api.AnyVersion))
            .AssertProblem(HttpStatusCode.Conflict);
        (await api.PutJsonAsync($"/api/v1/event-subscriptions/{subscription.Id()}", new { url = "http://127.0.0.1:1/hook", eventTypes = new[] { Csat } }, Api.AnyVersion))
            .AssertProblem(HttpStatusCode.UnprocessableEntity);
        (await api.PostJsonAsync("/api/v1/event-subscriptions", new { transport = "amqp", url = "http://127.0.0.1:1/hook", eventTypes = new[] { Csat } }))
            .AssertProblem(HttpStatusCode.BadRequest);
        var renamed = await api.PutJsonAsync($"/api/v1/event-subscriptions/{subscription.Id()}",
            new { transport = "amqp", description = "ERP feed", eventTypes = new[] { Csat, ContactsMerged } }, Api.AnyVersion);
        Assert.Equal(HttpStatusCode.OK, renamed.Status);
        Assert.Equal(amqp.Str("queue"), renamed.Body.GetProperty("amqp").Str("queue"));
    }

    [Fact]
    public async Task A_partner_user_cannot_read_another_queue_nor_publish_nor_declare_and_a_delete_revokes_its_access()
    {
        var (_, api) = await NewTenantAsync();
        var mine = await SubscribeAsync(api);
        var theirs = await SubscribeAsync(api);
        await using var partner = await ConnectAsPartnerAsync(mine);

        static async Task AssertRefusedAsync(IConnection connection, Func<IChannel, Task> action)
        {
            var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
            var refused = await Assert.ThrowsAnyAsync<Exception>(() => action(channel));
            Assert.True(refused is OperationInterruptedException or AlreadyClosedException or RabbitMQ.Client.Exceptions.PublishException, refused.ToString());
            await Eventually.TrueAsync(() => Task.FromResult(!channel.IsOpen), "the broker closed the channel");
            Assert.Equal(403, channel.CloseReason!.ReplyCode);
            await channel.DisposeAsync();
        }

        // Another subscription's queue: access refused.
        await AssertRefusedAsync(partner, channel => channel.BasicConsumeAsync(theirs.GetProperty("amqp").Str("queue"), autoAck: true, new AsyncEventingBasicConsumer(channel)));
        await AssertRefusedAsync(partner, channel => channel.BasicGetAsync(theirs.GetProperty("amqp").Str("queue"), autoAck: true));
        // The platform's exchanges (where every tenant's events go), the default exchange, even its own queue: no writes.
        var platformExchange = $"{typeof(CsatReceived).Namespace}:{nameof(CsatReceived)}";
        await AssertRefusedAsync(partner, channel => channel.BasicPublishAsync(platformExchange, "", true, new BasicProperties(), "{}"u8.ToArray()).AsTask());
        await AssertRefusedAsync(partner, channel => channel.BasicPublishAsync("", mine.GetProperty("amqp").Str("queue"), true, new BasicProperties(), "{}"u8.ToArray()).AsTask());
        // Nor declare or bind anything (it could otherwise bind its queue to the platform's exchanges).
        await AssertRefusedAsync(partner, channel => channel.QueueDeclareAsync("partner-own-idea", durable: false, exclusive: true, autoDelete: true));
        await AssertRefusedAsync(partner, channel => channel.QueueBindAsync(mine.GetProperty("amqp").Str("queue"), platformExchange, ""));
        // Its own queue it can read.
        await using (var own = await partner.CreateChannelAsync())
        {
            await own.BasicGetAsync(mine.GetProperty("amqp").Str("queue"), autoAck: true);
            Assert.True(own.IsOpen);
        }

        // Deleted: the open connection is closed, the credentials no longer log in, the queue is gone.
        var current = await api.GetJsonAsync($"/api/v1/event-subscriptions/{mine.Id()}");
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteJsonAsync($"/api/v1/event-subscriptions/{mine.Id()}", current.Body.ETag())).Status);
        await Eventually.TrueAsync(() => Task.FromResult(!partner.IsOpen), "the partner's connection is closed");
        var login = await Assert.ThrowsAsync<BrokerUnreachableException>(() => ConnectAsPartnerAsync(mine));
        Assert.IsType<AuthenticationFailureException>(login.InnerException);
        await using var platform = await PlatformConnectionAsync();
        await using var check = await platform.CreateChannelAsync();
        var gone = await Assert.ThrowsAsync<OperationInterruptedException>(() => check.QueueDeclarePassiveAsync(mine.GetProperty("amqp").Str("queue")));
        Assert.Equal(404, gone.ShutdownReason!.ReplyCode);
        // The other subscription is untouched.
        await using var theirPartner = await ConnectAsPartnerAsync(theirs);
        Assert.True(theirPartner.IsOpen);
    }

    [Fact]
    public async Task A_create_retried_with_the_same_idempotency_key_makes_one_subscription_and_a_reused_key_with_another_body_is_refused()
    {
        var (tenantId, api) = await NewTenantAsync();
        var key = $"subscribe-{Guid.NewGuid()}";
        var headers = new Dictionary<string, string> { ["Idempotency-Key"] = key };
        var body = new { transport = "amqp", eventTypes = new[] { Csat } };

        var first = await api.SendJsonAsync(HttpMethod.Post, "/api/v1/event-subscriptions", body, headers: headers);
        var second = await api.SendJsonAsync(HttpMethod.Post, "/api/v1/event-subscriptions", body, headers: headers);
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (first.Status, second.Status));
        Assert.Equal("true", second.Response.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first.Body.Id(), second.Body.Id());
        Assert.Equal(first.Body.GetProperty("amqp").Str("password"), second.Body.GetProperty("amqp").Str("password"));
        Assert.Equal(1, await QueryAsync(Platform, tenantId, db => db.Subscriptions.CountAsync()));
        // The replayed answer's credentials work: the retry did not provision (and so replace) anything.
        await using (var partner = await ConnectAsPartnerAsync(second.Body))
        {
            Assert.True(partner.IsOpen);
        }

        var other = await api.SendJsonAsync(HttpMethod.Post, "/api/v1/event-subscriptions",
            new { url = "http://127.0.0.1:1/hook", eventTypes = new[] { Csat } }, headers: headers);
        other.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(1, await QueryAsync(Platform, tenantId, db => db.Subscriptions.CountAsync()));
    }
}
