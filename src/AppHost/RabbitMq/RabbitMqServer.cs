using System.Globalization;
using CrmPlatform.AppHost.Processes;

namespace CrmPlatform.AppHost.RabbitMq;

/// <summary>
/// One RabbitMQ node run as a foreground child with a private directory, ports and epmd, managed with rabbitmqctl.
/// Stopped and started again on the same directory, it keeps its users, virtual hosts, queues and messages.
/// </summary>
public sealed class RabbitMqServer(RabbitMqServerOptions options) : IAsyncDisposable
{
    private ChildProcess? _process;

    public RabbitMqServerOptions Options { get; } = options;

    public string NodeName => $"{Options.NodeName}@localhost";

    public int AmqpPort => Options.AmqpPort;

    /// <summary>The pid of the rabbitmq-server script, which stays in the foreground as the node's parent.</summary>
    public int? ProcessId => _process is { HasExited: false } process ? process.Id : null;

    /// <summary>The pid of the Erlang VM (beam.smp), known once the node has started.</summary>
    public int? NodeProcessId { get; private set; }

    /// <summary>Completes with the exit code when the node stops, asked to or not.</summary>
    public Task<int> Exited => _process?.Exited ?? throw new InvalidOperationException("The server was never started.");

    private string Root => Path.GetFullPath(Options.Directory);

    private string PidFile => Path.Combine(Root, "rabbitmq.pid");

    public string GetConnectionString(string user, string password, string virtualHost) =>
        $"amqp://{Uri.EscapeDataString(user)}:{Uri.EscapeDataString(password)}@127.0.0.1:{AmqpPort}/{Uri.EscapeDataString(virtualHost)}";

    /// <summary>Starts the node and returns once it has fully booted (<c>rabbitmqctl await_startup</c>).</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException($"RabbitMQ node {NodeName} is already running.");
        }

        var server = Path.Combine(Options.InstallDirectory, "rabbitmq-server");
        if (!File.Exists(server))
        {
            throw new InvalidOperationException(
                $"RabbitMQ is not installed (no {server}): run `apt-get install rabbitmq-server`.");
        }

        WriteConfiguration();
        NodeProcessId = null;
        _process = ChildProcess.Start(server, [], Options.Output, workingDirectory: Root, environment: Environment());
        Options.ProcessStarted?.Invoke(_process.Id);
        try
        {
            await WaitUntilStartedAsync(cancellationToken);
            NodeProcessId = int.Parse(File.ReadAllText(PidFile).Trim(), CultureInfo.InvariantCulture);
        }
        catch
        {
            await StopAsync(TimeSpan.FromSeconds(10));
            throw;
        }
    }

    /// <summary>Adds the user, or sets its password if it exists.</summary>
    public async Task AddUserAsync(string user, string password, CancellationToken cancellationToken = default)
    {
        var (exitCode, output) = await RabbitMqCtlAsync(["add_user", user], password, cancellationToken);
        if (exitCode != 0 && output.Contains("already exists", StringComparison.Ordinal))
        {
            await RabbitMqCtlCheckedAsync(["change_password", user], password, cancellationToken);
        }
        else if (exitCode != 0)
        {
            throw new InvalidOperationException($"rabbitmqctl add_user {user} failed with exit code {exitCode}: {output}");
        }
    }

    public Task AddVirtualHostAsync(string virtualHost, CancellationToken cancellationToken = default) =>
        RabbitMqCtlCheckedAsync(["add_vhost", virtualHost], null, cancellationToken);

    /// <summary>Configure, write and read on everything in the virtual host.</summary>
    public Task SetPermissionsAsync(string user, string virtualHost, CancellationToken cancellationToken = default) =>
        RabbitMqCtlCheckedAsync(["set_permissions", "-p", virtualHost, user, ".*", ".*", ".*"], null, cancellationToken);

    /// <summary>Every queue of the virtual host with the number of messages ready in it.</summary>
    public async Task<IReadOnlyList<(string Name, long Messages)>> ListQueuesAsync(string virtualHost, CancellationToken cancellationToken = default)
    {
        var (exitCode, output) = await RabbitMqCtlAsync(["list_queues", "-p", virtualHost, "--no-table-headers", "name", "messages_ready"], null, cancellationToken);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"rabbitmqctl list_queues failed with exit code {exitCode}: {output}");
        }

        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('\t'))
            .Where(columns => columns.Length == 2 && long.TryParse(columns[1], CultureInfo.InvariantCulture, out _))
            .Select(columns => (columns[0], long.Parse(columns[1], CultureInfo.InvariantCulture)))];
    }

    /// <summary>
    /// Stops the node (<c>rabbitmqctl stop</c>, killed after <paramref name="timeout"/>) and its epmd, which daemonized
    /// and would outlive it.
    /// </summary>
    public async Task StopAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (_process is { HasExited: false } process)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout ?? TimeSpan.FromSeconds(30));
            try
            {
                await RabbitMqCtlAsync(["stop"], null, deadline.Token);
                await process.Exited.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                await process.Exited;
            }
        }

        await KillEpmdAsync(Options.EpmdPort);
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>Stops the epmd listening on this port, if any (also one left behind by a killed run).</summary>
    public static async Task KillEpmdAsync(int epmdPort) =>
        await ChildProcess.RunAsync("epmd", ["-kill"], [new("ERL_EPMD_PORT", epmdPort.ToString(CultureInfo.InvariantCulture))]);

    private void WriteConfiguration()
    {
        foreach (var folder in new[] { "home", "mnesia", "log" })
        {
            System.IO.Directory.CreateDirectory(Path.Combine(Root, folder));
        }

        File.WriteAllText(Path.Combine(Root, "rabbitmq.conf"), $"""
            listeners.tcp.default = 127.0.0.1:{AmqpPort}
            loopback_users.guest = true
            disk_free_limit.absolute = 50MB

            """);
        // Empty on purpose: stops the node from reading the system's /etc/rabbitmq/rabbitmq-env.conf.
        File.WriteAllText(Path.Combine(Root, "rabbitmq-env.conf"), "");
        File.WriteAllText(Path.Combine(Root, "enabled_plugins"), "[].\n");
    }

    /// <summary>Used by the node and by rabbitmqctl alike: the CLI finds the node through HOME (cookie), name and epmd.</summary>
    private Dictionary<string, string> Environment() => new()
    {
        ["HOME"] = Path.Combine(Root, "home"),
        ["RABBITMQ_NODENAME"] = NodeName,
        ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
        ["RABBITMQ_NODE_PORT"] = AmqpPort.ToString(CultureInfo.InvariantCulture),
        ["RABBITMQ_DIST_PORT"] = Options.DistributionPort.ToString(CultureInfo.InvariantCulture),
        ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
        ["ERL_EPMD_PORT"] = Options.EpmdPort.ToString(CultureInfo.InvariantCulture),
        ["RABBITMQ_CONFIG_FILE"] = Path.Combine(Root, "rabbitmq.conf"),
        ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(Root, "rabbitmq-env.conf"),
        ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(Root, "enabled_plugins"),
        ["RABBITMQ_MNESIA_BASE"] = Path.Combine(Root, "mnesia"),
        ["RABBITMQ_LOG_BASE"] = Path.Combine(Root, "log"),
        ["RABBITMQ_PID_FILE"] = PidFile,
        ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
    };

    /// <summary>
    /// await_startup fails at once while the node has not registered with epmd yet, so ask again until it answers.
    /// </summary>
    private async Task WaitUntilStartedAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + Options.StartupTimeout;
        while (true)
        {
            var awaitStartup = RabbitMqCtlAsync(["await_startup"], null, cancellationToken);
            var finished = await Task.WhenAny(awaitStartup, _process!.Exited);
            if (finished == _process.Exited)
            {
                throw new InvalidOperationException(
                    $"RabbitMQ exited with code {await _process.Exited} while starting:{System.Environment.NewLine}{_process.Tail}");
            }

            var (exitCode, output) = await awaitStartup;
            if (exitCode == 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(
                    $"RabbitMQ did not start within {Options.StartupTimeout.TotalSeconds:0} s: {output}{System.Environment.NewLine}{_process.Tail}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
    }

    private Task<(int ExitCode, string Output)> RabbitMqCtlAsync(
        IReadOnlyList<string> arguments, string? standardInput, CancellationToken cancellationToken) =>
        ChildProcess.RunAsync(
            Path.Combine(Options.InstallDirectory, "rabbitmqctl"), ["--quiet", .. arguments], Environment(), standardInput, cancellationToken);

    private async Task RabbitMqCtlCheckedAsync(IReadOnlyList<string> arguments, string? standardInput, CancellationToken cancellationToken)
    {
        var (exitCode, output) = await RabbitMqCtlAsync(arguments, standardInput, cancellationToken);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', arguments)} failed with exit code {exitCode}: {output}");
        }
    }
}
