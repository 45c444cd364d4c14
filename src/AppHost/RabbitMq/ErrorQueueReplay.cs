using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace CrmPlatform.AppHost.RabbitMq;

/// <summary>
/// MassTransit moves a message that failed all its retries to <c>{queue}_error</c>. Once the cause is fixed, an operator
/// replays them: the dashboard's "Replay error queues" button on the broker (one queue, or all), or <c>aspire resource
/// messaging replay-error-queues</c> in a script (all: the 13.6 CLI passes no command arguments). Each message goes back to its queue with its headers, published with a
/// confirm before it is acknowledged, so a replay cut short loses nothing (at worst one is delivered twice, and the
/// consumers' inbox drops the repeat).
/// </summary>
public static class ErrorQueueReplay
{
    public const string CommandName = "replay-error-queues";
    private const string Suffix = "_error";

    public sealed record Replayed(string ErrorQueue, string Queue, int Messages);

    public static IResourceBuilder<RabbitMqServerResource> WithErrorQueueReplay(this IResourceBuilder<RabbitMqServerResource> broker) =>
        broker.WithCommand(CommandName, "Replay error queues", async context =>
        {
            var queue = context.Arguments?["queue"].Value;
            try
            {
                var replayed = await ReplayAsync(broker.Resource, string.IsNullOrWhiteSpace(queue) ? null : queue.Trim(), context.CancellationToken);
                foreach (var each in replayed)
                {
                    context.Logger.LogInformation("Replayed {Messages} message(s) from {ErrorQueue} to {Queue}", each.Messages, each.ErrorQueue, each.Queue);
                }

                return CommandResults.Success(
                    $"Replayed {replayed.Sum(r => r.Messages)} message(s) from {replayed.Count} error queue(s).",
                    JsonSerializer.Serialize(replayed, JsonSerializerOptions.Web), CommandResultFormat.Json);
            }
            catch (KeyNotFoundException ex)
            {
                return CommandResults.Failure(ex.Message);
            }
        }, new CommandOptions
        {
            Description = "Moves the messages that failed every retry back to the queues they came from.",
            IconName = "ArrowRedo",
            Arguments =
            [
                new InteractionInput
                {
                    Name = "queue",
                    Label = "Error queue",
                    InputType = InputType.Text,
                    Required = false,
                    Placeholder = "every *_error queue",
                },
            ],
            UpdateState = context => context.ResourceSnapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy
                ? ResourceCommandState.Enabled
                : ResourceCommandState.Disabled,
        });

    /// <summary>Replays one error queue, or every non-empty one when <paramref name="errorQueue"/> is null.</summary>
    /// <exception cref="KeyNotFoundException">There is no such error queue.</exception>
    public static async Task<IReadOnlyList<Replayed>> ReplayAsync(RabbitMqServerResource broker, string? errorQueue, CancellationToken cancellationToken)
    {
        var errorQueues = await ListAsync(broker, cancellationToken);
        if (errorQueue is not null && errorQueues.All(q => q.Name != errorQueue))
        {
            throw new KeyNotFoundException($"There is no error queue named '{errorQueue}'.");
        }

        var chosen = errorQueues.Where(q => errorQueue is null ? q.Messages > 0 : q.Name == errorQueue).Select(q => q.Name);

        var factory = new ConnectionFactory
        {
            Uri = new Uri((await broker.ConnectionStringExpression.GetValueAsync(cancellationToken))!),
            ClientProvidedName = "apphost-error-replay",
        };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
        List<Replayed> replayed = [];
        foreach (var name in chosen)
        {
            var queue = name[..^Suffix.Length];
            var moved = 0;
            while (await channel.BasicGetAsync(name, autoAck: false, cancellationToken) is { } message)
            {
                var properties = new BasicProperties(message.BasicProperties);
                properties.Headers?.Remove("MT-Redelivery-Count");
                // The default exchange routes by queue name: straight back to the consumer that failed.
                await channel.BasicPublishAsync("", queue, mandatory: true, properties, message.Body, cancellationToken);
                await channel.BasicAckAsync(message.DeliveryTag, multiple: false, cancellationToken);
                moved++;
            }

            replayed.Add(new Replayed(name, queue, moved));
        }

        return replayed;
    }

    /// <summary>The error queues of the platform's virtual host with the messages waiting in each.</summary>
    public static async Task<IReadOnlyList<(string Name, long Messages)>> ListAsync(RabbitMqServerResource broker, CancellationToken cancellationToken)
    {
        var output = await broker.RabbitMqCtlAsync(
            ["list_queues", "-p", RabbitMqServerResource.VirtualHost, "--no-table-headers", "name", "messages_ready"], cancellationToken);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('\t'))
            .Where(columns => columns.Length == 2 && columns[0].EndsWith(Suffix, StringComparison.Ordinal))
            .Select(columns => (columns[0], long.Parse(columns[1], CultureInfo.InvariantCulture)))
            .OrderBy(queue => queue.Item1, StringComparer.Ordinal)];
    }
}
