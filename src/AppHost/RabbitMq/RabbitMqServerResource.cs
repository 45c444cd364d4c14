using System.Globalization;

namespace CrmPlatform.AppHost.RabbitMq;

/// <summary>
/// A RabbitMQ node run from the machine's installation (no container) in the foreground, with its data, configuration
/// and Erlang cookie in a folder of the state folder, on 127.0.0.1 only; one user and one virtual host for the platform,
/// and a broker administrator (management HTTP API only) that provisions partners' users and permissions.
/// </summary>
public sealed class RabbitMqServerResource(string name, string directory, ParameterResource password, ParameterResource adminPassword, EpmdResource epmd)
    : ExecutableResource(name, Installation, directory), IResourceWithConnectionString
{
    public const string User = "crm";
    public const string VirtualHost = "crm";

    /// <summary>
    /// Manages users and permissions through the management API (Integrations' partner users). It has no permission in
    /// any virtual host, so it cannot read or publish messages itself.
    /// </summary>
    public const string AdminUser = "crm-broker-admin";
    internal const string AmqpEndpointName = "amqp";
    internal const string DistributionEndpointName = "dist";
    internal const string ManagementEndpointName = "management";
    private const string Installation = "/usr/lib/rabbitmq/bin/rabbitmq-server";

    public string Directory { get; } = directory;

    public ParameterResource Password { get; } = password;

    public ParameterResource AdminPassword { get; } = adminPassword;

    /// <summary>The node's own port mapper, a resource of its own so that it is stopped with the platform.</summary>
    public EpmdResource Epmd { get; } = epmd;

    public EndpointReference AmqpEndpoint => field ??= new(this, AmqpEndpointName);

    public EndpointReference DistributionEndpoint => field ??= new(this, DistributionEndpointName);

    /// <summary>The management plugin's HTTP API, on 127.0.0.1.</summary>
    public EndpointReference ManagementEndpoint => field ??= new(this, ManagementEndpointName);

    /// <summary>The management API's base address (<c>http://127.0.0.1:port</c>).</summary>
    public ReferenceExpression ManagementUri => ReferenceExpression.Create($"http://127.0.0.1:{ManagementEndpoint.Property(EndpointProperty.Port)}");

    public ReferenceExpression ConnectionStringExpression => ConnectionStringFor(VirtualHost);

    /// <summary>The platform's user in another virtual host (tests give each class one of its own).</summary>
    public ReferenceExpression ConnectionStringFor(string virtualHost) => ReferenceExpression.Create(
        $"amqp://{User}:{Password:uri}@127.0.0.1:{AmqpEndpoint.Property(EndpointProperty.Port)}/{virtualHost}");

    /// <summary>Data is filed under the node's name, so it stays the same from run to run; only the ports change.</summary>
    public string NodeName => $"{Name}@localhost";

    internal static bool IsInstalled => File.Exists(Installation);

    /// <summary>
    /// What the node is started with, and what rabbitmqctl needs to find it (cookie in HOME, name, port mapper):
    /// <paramref name="port"/> renders a port either as a reference DCP resolves at start or as the number it became.
    /// </summary>
    internal IEnumerable<(string Name, object Value)> NodeEnvironment(Func<EndpointReference, object> port) =>
    [
        ("HOME", Path.Combine(Directory, "home")),
        ("RABBITMQ_NODENAME", NodeName),
        ("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1"),
        ("RABBITMQ_NODE_PORT", port(AmqpEndpoint)),
        // Otherwise the node port + 20000, which may be taken.
        ("RABBITMQ_DIST_PORT", port(DistributionEndpoint)),
        ("ERL_EPMD_ADDRESS", "127.0.0.1"),
        ("ERL_EPMD_PORT", port(Epmd.PrimaryEndpoint)),
        ("RABBITMQ_CONFIG_FILE", Path.Combine(Directory, "rabbitmq.conf")),
        // Empty on purpose: keeps the system's /etc/rabbitmq/rabbitmq-env.conf out.
        ("RABBITMQ_CONF_ENV_FILE", Path.Combine(Directory, "rabbitmq-env.conf")),
        ("RABBITMQ_ENABLED_PLUGINS_FILE", Path.Combine(Directory, "enabled_plugins")),
        ("RABBITMQ_MNESIA_BASE", Path.Combine(Directory, "mnesia")),
        ("RABBITMQ_LOG_BASE", Path.Combine(Directory, "log")),
        ("RABBITMQ_PID_FILE", Path.Combine(Directory, "rabbitmq.pid")),
        // The management listener's port is only known at start: given as the application's setting on the command line
        // (one word, no spaces: the start script splits the variable on whitespace).
        ("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", port(ManagementEndpoint) is string management
            ? $"-kernel inet_dist_use_interface {{127,0,0,1}} -rabbitmq_management tcp_config [{{ip,\"127.0.0.1\"}},{{port,{management}}}]"
            : ReferenceExpression.Create(
                $"-kernel inet_dist_use_interface {{127,0,0,1}} -rabbitmq_management tcp_config [{{ip,\"127.0.0.1\"}},{{port,{(EndpointReferenceExpression)port(ManagementEndpoint)}}}]")),
    ];

    /// <summary>rabbitmqctl against this node while it runs; a failure throws with what it printed.</summary>
    public Task<string> RabbitMqCtlAsync(IEnumerable<string> arguments, CancellationToken cancellationToken) =>
        ChildProcess.RunCheckedAsync(
            Path.Combine(Path.GetDirectoryName(Installation)!, "rabbitmqctl"), ["--quiet", .. arguments], cancellationToken,
            NodeEnvironment(endpoint => endpoint.Port.ToString(CultureInfo.InvariantCulture)).ToDictionary(v => v.Name, v => (string)v.Value));
}

/// <summary>
/// Erlang's port mapper daemon for one RabbitMQ node, in the foreground on 127.0.0.1. Left to the node, epmd would
/// daemonize and outlive the platform.
/// </summary>
public sealed class EpmdResource(string name, string directory) : ExecutableResource(name, "epmd", directory)
{
    internal const string EndpointName = "tcp";

    public EndpointReference PrimaryEndpoint => field ??= new(this, EndpointName);
}
