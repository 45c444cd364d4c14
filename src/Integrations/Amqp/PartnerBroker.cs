using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using CrmPlatform.ServiceDefaults;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace CrmPlatform.Integrations.Amqp;

/// <summary>What a partner connects with; the password exists only in this answer (the broker keeps a hash).</summary>
public sealed record PartnerCredentials(string Uri, string Queue, string Username, string Password);

/// <summary>The broker could not be reached or refused a change: nothing was provisioned or revoked.</summary>
public sealed class BrokerUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Partners' side of the broker: provisions a subscription's durable queue and a user that can only read it (management
/// API), revokes both, and publishes events to the queue with publisher confirms over the platform's own connection.
/// </summary>
public sealed class PartnerBroker(IHttpClientFactory httpClients, IOptions<AmqpSettings> options, IConfiguration configuration,
    ILogger<PartnerBroker> logger) : IAsyncDisposable
{
    public const string HttpClientName = "broker-management";

    private readonly SemaphoreSlim _connecting = new(1, 1);
    private IConnection? _connection;
    private IChannel? _channel;

    private AmqpSettings Settings => options.Value;

    private Uri PlatformUri => new(configuration.GetConnectionString(MessagingExtensions.ConnectionName)
        ?? throw new InvalidOperationException("Connection string 'messaging' is missing."));

    /// <summary>The platform's virtual host, where partners' queues live beside its own.</summary>
    private string VirtualHost => PlatformUri.AbsolutePath.Trim('/') is { Length: > 0 } path ? Uri.UnescapeDataString(path) : "/";

    public bool Enabled => Settings.Enabled;

    /// <summary>The address partners connect to, with the user but never the password (safe to log and show again).</summary>
    public string PartnerUri(string username)
    {
        var address = Settings.PublicAddress is { Length: > 0 } configured ? new Uri(configured) : PlatformUri;
        var port = address.IsDefaultPort || address.Port < 0 ? "" : $":{address.Port}";
        return $"{address.Scheme}://{Uri.EscapeDataString(username)}@{address.Host}{port}/{Uri.EscapeDataString(VirtualHost)}";
    }

    public async Task<PartnerCredentials> ProvisionAsync(Guid subscriptionId, CancellationToken cancellationToken)
    {
        var (queue, user) = (PartnerQueues.QueueOf(subscriptionId), PartnerQueues.UserOf(subscriptionId));
        var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
        try
        {
            var channel = await ChannelAsync(cancellationToken);
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: null, cancellationToken: cancellationToken);
            await ManageAsync(HttpMethod.Put, $"users/{Uri.EscapeDataString(user)}", new { password, tags = "" }, cancellationToken);
            var (configure, write, read) = PartnerQueues.PermissionsOf(subscriptionId);
            await ManageAsync(HttpMethod.Put, $"permissions/{Uri.EscapeDataString(VirtualHost)}/{Uri.EscapeDataString(user)}",
                new { configure, write, read }, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Whatever part was made goes again: a user without its queue (or the reverse) is no use to anyone.
            await TryRevokeAsync(subscriptionId);
            throw ex as BrokerUnavailableException ?? new BrokerUnavailableException("The message broker could not provision the subscription.", ex);
        }
        logger.LogInformation("Provisioned AMQP subscription {SubscriptionId}: queue {Queue} for {Uri}", subscriptionId, queue, PartnerUri(user));
        return new PartnerCredentials(PartnerUri(user), queue, user, password);
    }

    /// <summary>
    /// Deletes the partner's user (closing its connections, so a consumer already attached stops too) and its queue.
    /// Idempotent: what is already gone counts as revoked.
    /// </summary>
    public async Task RevokeAsync(Guid subscriptionId, CancellationToken cancellationToken)
    {
        var (queue, user) = (PartnerQueues.QueueOf(subscriptionId), PartnerQueues.UserOf(subscriptionId));
        try
        {
            await ManageAsync(HttpMethod.Delete, $"users/{Uri.EscapeDataString(user)}", null, cancellationToken);
            var connections = await ManagementClient().GetFromJsonAsync<List<BrokerConnection>>("api/connections?columns=name,user", cancellationToken) ?? [];
            foreach (var connection in connections.Where(c => c.User == user))
            {
                await ManageAsync(HttpMethod.Delete, $"connections/{Uri.EscapeDataString(connection.Name)}", null, cancellationToken);
            }
            var channel = await ChannelAsync(cancellationToken);
            await channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or BrokerUnavailableException))
        {
            throw new BrokerUnavailableException("The message broker could not revoke the subscription's access.", ex);
        }
        logger.LogInformation("Revoked AMQP subscription {SubscriptionId}: user and queue {Queue} deleted", subscriptionId, queue);
    }

    private async Task TryRevokeAsync(Guid subscriptionId)
    {
        try
        {
            await RevokeAsync(subscriptionId, CancellationToken.None);
        }
        catch (BrokerUnavailableException ex)
        {
            logger.LogError(ex, "Could not remove the broker objects of AMQP subscription {SubscriptionId}", subscriptionId);
        }
    }

    /// <summary>
    /// Publishes one event to a subscription's queue: persistent, <c>message-id</c> the event id (partners de-duplicate
    /// by it), mandatory (a missing queue is a failure, not a silent drop), and returns once the broker confirmed it.
    /// </summary>
    public async Task PublishAsync(string queue, Guid eventId, string type, DateTimeOffset time, byte[] body, CancellationToken cancellationToken)
    {
        var channel = await ChannelAsync(cancellationToken);
        var properties = new BasicProperties
        {
            MessageId = eventId.ToString(),
            ContentType = Delivery.CloudEventBody.ContentType + "; charset=utf-8",
            DeliveryMode = DeliveryModes.Persistent,
            Type = type,
            Timestamp = new AmqpTimestamp(time.ToUnixTimeSeconds()),
        };
        try
        {
            await channel.BasicPublishAsync("", queue, mandatory: true, properties, body, cancellationToken);
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException)
        {
            await ResetAsync(channel);
            throw;
        }
    }

    private async Task<IChannel> ChannelAsync(CancellationToken cancellationToken)
    {
        if (_channel is { IsOpen: true } open)
        {
            return open;
        }
        await _connecting.WaitAsync(cancellationToken);
        try
        {
            if (_channel is { IsOpen: true } opened)
            {
                return opened;
            }
            if (_connection is not { IsOpen: true })
            {
                if (_connection is not null)
                {
                    await _connection.DisposeAsync();
                }
                _connection = await new ConnectionFactory { Uri = PlatformUri, ClientProvidedName = "integrations-partner-delivery" }
                    .CreateConnectionAsync(cancellationToken);
            }
            _channel = await _connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
            return _channel;
        }
        finally
        {
            _connecting.Release();
        }
    }

    private async Task ResetAsync(IChannel failed)
    {
        await _connecting.WaitAsync();
        try
        {
            if (ReferenceEquals(_channel, failed))
            {
                _channel = null;
                await failed.DisposeAsync();
            }
        }
        finally
        {
            _connecting.Release();
        }
    }

    private HttpClient ManagementClient()
    {
        if (!Settings.Enabled)
        {
            throw new BrokerUnavailableException("AMQP delivery is not configured (Integrations:Amqp:ManagementUri).");
        }
        var client = httpClients.CreateClient(HttpClientName);
        client.BaseAddress = new Uri(Settings.ManagementUri!.TrimEnd('/') + "/");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Settings.ManagementUser}:{Settings.ManagementPassword}")));
        return client;
    }

    private async Task ManageAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, "api/" + path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await ManagementClient().SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode && !(method == HttpMethod.Delete && response.StatusCode == HttpStatusCode.NotFound))
        {
            throw new BrokerUnavailableException(
                $"The broker's management API answered {(int)response.StatusCode} to {method} {path}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    private sealed record BrokerConnection(string Name, string? User);

    public async ValueTask DisposeAsync()
    {
        if (_channel is not null)
        {
            await _channel.DisposeAsync();
        }
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
        _connecting.Dispose();
    }
}
