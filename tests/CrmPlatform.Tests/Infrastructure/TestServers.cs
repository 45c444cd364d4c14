using System.Security.Cryptography;
using CrmPlatform.AppHost.Orchestration;
using CrmPlatform.AppHost.Postgres;
using CrmPlatform.AppHost.Processes;
using CrmPlatform.AppHost.RabbitMq;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrmPlatform.Tests.Infrastructure;

/// <summary>
/// One real PostgreSQL and one real RabbitMQ for the whole test run, started with the AppHost's own launchers in a
/// private temporary folder. Each test class asks for databases and a virtual host of its own.
/// </summary>
public sealed class TestServers
{
    private static readonly Lazy<Task<TestServers>> Shared = new(StartAsync);
    private static int _sequence;

    private readonly PostgresServer _postgres;
    private readonly RabbitMqServer _rabbitMq;
    private readonly string _rabbitMqPassword;

    private TestServers(PostgresServer postgres, RabbitMqServer rabbitMq, string rabbitMqPassword)
    {
        _postgres = postgres;
        _rabbitMq = rabbitMq;
        _rabbitMqPassword = rabbitMqPassword;
    }

    public static Task<TestServers> GetAsync() => Shared.Value;

    public static string Root { get; } = CreateRoot();

    /// <summary>The servers' pids, so a later run can stop what this one leaves behind if its process is killed.</summary>
    private static PidFiles Pids { get; } = new(Path.Combine(Root, "run"), NullLogger.Instance);

    private const string OwnerFile = "owner";

    private static string CreateRoot()
    {
        var root = Directory.CreateTempSubdirectory(RootPrefix).FullName;
        // PostgreSQL runs as the postgres user when we are root; it must be able to reach its data directory below.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        }
        Directory.CreateDirectory(Path.Combine(root, "run"));
        File.WriteAllText(Path.Combine(root, OwnerFile), $"{Environment.ProcessId} {Posix.StartTime(Environment.ProcessId)}");
        return root;
    }

    private const string RootPrefix = "crm-tests-";

    /// <summary>
    /// The test host may be killed before its exit handler has stopped everything (epmd daemonizes and outlives the
    /// node anyway): stop what earlier runs whose process is gone left behind, and delete their folders.
    /// </summary>
    private static async Task CleanUpEarlierRunsAsync()
    {
        foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), RootPrefix + "*").Where(f => f != Root))
        {
            var owner = File.Exists(Path.Combine(folder, OwnerFile)) ? File.ReadAllText(Path.Combine(folder, OwnerFile)).Split(' ') : [];
            if (owner is [var pid, var startTime] && Posix.StartTime(int.Parse(pid)).ToString() == startTime)
            {
                continue;
            }
            // Another run on the machine may have just created its folder and not yet written its owner.
            if (owner is [] && DateTime.UtcNow - Directory.GetCreationTimeUtc(folder) < TimeSpan.FromMinutes(1))
            {
                continue;
            }
            try
            {
                await new PidFiles(Path.Combine(folder, "run"), NullLogger.Instance).StopLeftoversAsync();
                Directory.Delete(folder, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
                // The run that owned it finished meanwhile and deleted it itself.
            }
        }
    }

    private static RabbitMqServerOptions RabbitMqOptions(string name) => new()
    {
        Directory = Path.Combine(Root, name),
        NodeName = $"{name}-{Environment.ProcessId}",
        AmqpPort = FreePort.Pick(),
        DistributionPort = FreePort.Pick(),
        EpmdPort = FreePort.Pick(),
        ProcessStarted = pid => Pids.Add(name, pid, Posix.SIGTERM),
    };

    private static async Task<RabbitMqServer> StartRabbitMqAsync(string name)
    {
        var server = new RabbitMqServer(RabbitMqOptions(name));
        Pids.AddEpmd(name, server.Options.EpmdPort);
        await server.StartAsync();
        Pids.Add(name, server.NodeProcessId!.Value, Posix.SIGTERM);
        return server;
    }

    /// <summary>A new, empty database owned by a login role of its own; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Interlocked.Increment(ref _sequence)}";
        var password = NewSecret();
        await _postgres.CreateDatabaseAsync(name, owner: name, ownerPassword: password);
        // Pools of finished test classes give their connections back soon.
        return _postgres.GetConnectionString(name, name, password) + ";Connection Idle Lifetime=5;Connection Pruning Interval=1";
    }

    /// <summary>A new virtual host on the shared broker, so this class's queues and exchanges are its own.</summary>
    public async Task<string> CreateVirtualHostAsync()
    {
        var virtualHost = $"tests-{Interlocked.Increment(ref _sequence)}";
        await _rabbitMq.AddVirtualHostAsync(virtualHost);
        await _rabbitMq.SetPermissionsAsync(RabbitMqUser, virtualHost);
        return _rabbitMq.GetConnectionString(RabbitMqUser, _rabbitMqPassword, virtualHost);
    }

    private const string RabbitMqUser = "crm-tests";

    /// <summary>A broker of its own, for tests that stop and start it. The caller disposes it.</summary>
    public static async Task<(RabbitMqServer Server, string ConnectionString)> StartPrivateRabbitMqAsync(string name)
    {
        var server = await StartRabbitMqAsync(name);
        var password = NewSecret();
        await server.AddUserAsync(RabbitMqUser, password);
        await server.AddVirtualHostAsync("crm");
        await server.SetPermissionsAsync(RabbitMqUser, "crm");
        return (server, server.GetConnectionString(RabbitMqUser, password, "crm"));
    }

    private static async Task<TestServers> StartAsync()
    {
        await CleanUpEarlierRunsAsync();
        var postgres = new PostgresServer(new PostgresServerOptions
        {
            DataDirectory = Path.Combine(Root, "postgres"),
            Port = FreePort.Pick(),
            SuperuserPassword = NewSecret(),
            Durable = false,
            MaxConnections = 1000,
            ProcessStarted = pid => Pids.Add("postgres", pid, Posix.SIGINT),
        });
        var rabbitMqStarted = StartRabbitMqAsync("rabbitmq");
        await Task.WhenAll(postgres.StartAsync(), rabbitMqStarted);
        var rabbitMq = await rabbitMqStarted;
        var password = NewSecret();
        await rabbitMq.AddUserAsync(RabbitMqUser, password);

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            Task.WaitAll([postgres.StopAsync(TimeSpan.FromSeconds(10)), rabbitMq.StopAsync(TimeSpan.FromSeconds(20))], TimeSpan.FromSeconds(30));
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
                // A server may still hold a file for a moment; the temp folder is cleaned by the OS eventually.
            }
        };
        return new TestServers(postgres, rabbitMq, password);
    }

    private static string NewSecret() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
}
