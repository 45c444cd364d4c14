using System.Net.Sockets;
using CrmPlatform.AppHost.Orchestration;
using CrmPlatform.AppHost.Processes;
using CrmPlatform.AppHost.RabbitMq;

namespace CrmPlatform.AppHost.Model;

/// <summary>A RabbitMQ node with one user and one virtual host for the whole platform.</summary>
public sealed class RabbitMqResource : Resource, IResourceWithConnectionString
{
    internal RabbitMqResource(string name, string user, string virtualHost)
        : base(name, ResourceKind.RabbitMq)
    {
        User = user;
        VirtualHost = virtualHost;
    }

    public string User { get; }

    public string VirtualHost { get; }

    /// <summary>Set at the first start.</summary>
    public RabbitMqServer? Server { get; private set; }

    public string? ConnectionString { get; private set; }

    public override int? ProcessId => Server?.ProcessId;

    internal override Task<int> Exited => Server!.Exited;

    internal override async Task StartAsync(RunContext context, CancellationToken cancellationToken)
    {
        Server ??= new RabbitMqServer(new RabbitMqServerOptions
        {
            Directory = Path.Combine(context.State.Path, "rabbitmq"),
            // The node's data is filed under its name; only the ports may change between runs.
            NodeName = Name,
            AmqpPort = context.State.GetPort(Name),
            DistributionPort = context.State.GetPort($"{Name}-dist"),
            EpmdPort = context.State.GetPort($"{Name}-epmd"),
            Output = OutputTo(context),
            ProcessStarted = pid => context.State.PidFiles.Add(Name, pid, Posix.SIGTERM),
        });
        context.State.PidFiles.AddEpmd(Name, Server.Options.EpmdPort);
        await Server.StartAsync(cancellationToken);
        context.State.PidFiles.Add(Name, Server.NodeProcessId!.Value, Posix.SIGTERM);

        var password = context.State.GetSecret(Name);
        await Server.AddUserAsync(User, password, cancellationToken);
        await Server.AddVirtualHostAsync(VirtualHost, cancellationToken);
        await Server.SetPermissionsAsync(User, VirtualHost, cancellationToken);
        ConnectionString = Server.GetConnectionString(User, password, VirtualHost);
        SetEndpoint("amqp", $"amqp://127.0.0.1:{Server.AmqpPort}");
    }

    /// <summary>
    /// A TCP connect: cheap, and unlike an unfinished AMQP handshake it leaves no warning in the broker's log every second.
    /// Readiness proper was established at start by await_startup.
    /// </summary>
    internal override string HealthProbe => "AMQP port";

    internal override async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", Server!.AmqpPort, cancellationToken);
        return true;
    }

    internal override Task StopAsync(CancellationToken cancellationToken) =>
        Server?.StopAsync(TimeSpan.FromSeconds(20), cancellationToken) ?? Task.CompletedTask;
}
