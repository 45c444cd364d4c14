namespace CrmPlatform.AppHost.RabbitMq;

public sealed record RabbitMqServerOptions
{
    /// <summary>Holds everything of this node: HOME (Erlang cookie), config, mnesia (data), logs, pid file.</summary>
    public required string Directory { get; init; }

    /// <summary>The node is <c>{NodeName}@localhost</c>. Its data lives under that name: keep it to keep the data.</summary>
    public required string NodeName { get; init; }

    public required int AmqpPort { get; init; }

    /// <summary>Erlang distribution port (rabbitmqctl talks to the node through it).</summary>
    public required int DistributionPort { get; init; }

    /// <summary>A private epmd for this node, so that nodes of different runs or tests never meet.</summary>
    public required int EpmdPort { get; init; }

    public string InstallDirectory { get; init; } = "/usr/lib/rabbitmq/bin";

    /// <summary>Receives every line the server prints (its detailed log goes to files under <see cref="Directory"/>).</summary>
    public Action<string>? Output { get; init; }

    /// <summary>
    /// Called with the pid as soon as the process exists, before it is ready: record it to clean up after a crash of
    /// the caller.
    /// </summary>
    public Action<int>? ProcessStarted { get; init; }

    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(120);
}
