using CrmPlatform.AppHost.Model;
using RabbitMQ.Client;

namespace CrmPlatform.AppHost.Messaging;

/// <summary>A queue's error twin: messages that failed every retry, with MassTransit's fault headers.</summary>
public sealed record ErrorQueue(string Name, string SourceQueue, long Messages);

/// <summary>
/// MassTransit moves a message that failed all its retries to <c>{queue}_error</c>. Once the cause is fixed an operator
/// replays them: each is moved back to its queue with its headers, published with a confirm before it is acknowledged,
/// so a replay interrupted halfway loses nothing (at worst a message is delivered twice; the inbox drops the repeat).
/// </summary>
public sealed class ErrorQueues(PlatformModel model)
{
    private const string Suffix = "_error";

    private RabbitMqResource Broker => model.Resources.OfType<RabbitMqResource>().FirstOrDefault(r => r.Server is not null)
        ?? throw new InvalidOperationException("RabbitMQ has not started.");

    public async Task<IReadOnlyList<ErrorQueue>> ListAsync(CancellationToken cancellationToken)
    {
        var broker = Broker;
        var queues = await broker.Server!.ListQueuesAsync(broker.VirtualHost, cancellationToken);
        return [.. queues.Where(q => q.Name.EndsWith(Suffix, StringComparison.Ordinal))
            .Select(q => new ErrorQueue(q.Name, q.Name[..^Suffix.Length], q.Messages))
            .OrderBy(q => q.Name, StringComparer.Ordinal)];
    }

    /// <summary>Moves every message of <paramref name="errorQueue"/> back to its source queue; returns how many.</summary>
    /// <exception cref="KeyNotFoundException">No such error queue.</exception>
    public async Task<int> ReplayAsync(string errorQueue, CancellationToken cancellationToken)
    {
        var queue = (await ListAsync(cancellationToken)).FirstOrDefault(q => q.Name == errorQueue)
            ?? throw new KeyNotFoundException($"There is no error queue named '{errorQueue}'.");

        var factory = new ConnectionFactory { Uri = new Uri(Broker.ConnectionString!), ClientProvidedName = "apphost-error-replay" };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);

        var moved = 0;
        while (await channel.BasicGetAsync(queue.Name, autoAck: false, cancellationToken) is { } message)
        {
            var properties = new BasicProperties(message.BasicProperties);
            properties.Headers?.Remove("MT-Redelivery-Count");
            // The default exchange routes by queue name: straight back to the consumer that failed.
            await channel.BasicPublishAsync("", queue.SourceQueue, mandatory: true, properties, message.Body, cancellationToken);
            await channel.BasicAckAsync(message.DeliveryTag, multiple: false, cancellationToken);
            moved++;
        }

        return moved;
    }
}
