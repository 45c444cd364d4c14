using System.Security.Cryptography;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using CrmPlatform.AppHost;
using CrmPlatform.AppHost.Postgres;
using CrmPlatform.AppHost.RabbitMq;
using Npgsql;

namespace CrmPlatform.Tests.Infrastructure;

/// <summary>
/// One real PostgreSQL and one real RabbitMQ for the whole test run: the app host's own resources, run by Aspire's
/// orchestrator in a small distributed application of their own, with their data in a private temporary folder. DCP
/// watches this process and stops them when it ends, however it ends. Each test class asks for databases and a virtual
/// host of its own.
/// </summary>
public sealed class TestServers
{
    private static readonly Lazy<Task<TestServers>> Shared = new(StartAsync);
    private static int _sequence;

    private readonly PostgresServerResource _postgres;
    private readonly RabbitMqServerResource _rabbitMq;

    private TestServers(PostgresServerResource postgres, RabbitMqServerResource rabbitMq)
    {
        _postgres = postgres;
        _rabbitMq = rabbitMq;
    }

    public static Task<TestServers> GetAsync() => Shared.Value;

    /// <summary>This run's folder: the servers' data, and the state folders of whole platforms started by tests.</summary>
    public static string Root { get; } = CreateRoot();

    private const string RootPrefix = "crm-tests-";
    private const string OwnerFile = "owner";

    private static string CreateRoot()
    {
        RemoveFoldersOfEndedRuns();
        var root = Directory.CreateTempSubdirectory(RootPrefix).FullName;
        // PostgreSQL runs as the postgres user when we are root: it must be able to reach its data folder below.
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        File.WriteAllText(Path.Combine(root, OwnerFile), Environment.ProcessId.ToString());
        return root;
    }

    /// <summary>A run killed outright leaves its folder (DCP has stopped its servers): deleted by the next run.</summary>
    private static void RemoveFoldersOfEndedRuns()
    {
        foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), RootPrefix + "*"))
        {
            var owner = Path.Combine(folder, OwnerFile);
            if (File.Exists(owner) && !Directory.Exists($"/proc/{File.ReadAllText(owner).Trim()}"))
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    /// <summary>A distributed application for test infrastructure: no dashboard, quiet, stopping only once all is stopped.</summary>
    internal static IDistributedApplicationBuilder CreateBuilder(string stateDirectory) => DistributedApplication.CreateBuilder(new DistributedApplicationOptions
    {
        Args = [$"--AppHost:StateDir={stateDirectory}", "--Logging:LogLevel:Default=Warning", "--DcpPublisher:WaitForResourceCleanup=true"],
        AssemblyName = typeof(StateFolder).Assembly.GetName().Name,
        DisableDashboard = true,
    });

    private static async Task<TestServers> StartAsync()
    {
        var builder = CreateBuilder(Path.Combine(Root, "servers"));
        var state = builder.AddStateFolder();
        var postgres = builder.AddPostgresServer("postgres", state, durable: false, maxConnections: 1000);
        var rabbitMq = builder.AddRabbitMqServer("messaging", state);
        var app = builder.Build();
        await app.StartAsync();
        await Task.WhenAll(
            app.ResourceNotifications.WaitForResourceHealthyAsync("postgres"),
            app.ResourceNotifications.WaitForResourceHealthyAsync("messaging"));

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            app.StopAsync().Wait(TimeSpan.FromSeconds(30));
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
                // A server may still hold a file for a moment; the next run deletes the folder.
            }
        };
        return new TestServers(postgres.Resource, rabbitMq.Resource);
    }

    /// <summary>A new, empty database owned by a login role of its own; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Interlocked.Increment(ref _sequence)}";
        var password = NewSecret();
        await using (var admin = new NpgsqlConnection(_postgres.AdminConnectionString()))
        {
            await admin.OpenAsync();
            await PostgresBuilderExtensions.CreateDatabaseAsync(admin, name, owner: name, password, CancellationToken.None);
        }

        // Pools of finished test classes give their connections back soon.
        return new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = _postgres.PrimaryEndpoint.Port,
            Database = name,
            Username = name,
            Password = password,
            ConnectionIdleLifetime = 5,
            ConnectionPruningInterval = 1,
        }.ConnectionString;
    }

    /// <summary>A new virtual host on the shared broker, so this class's queues and exchanges are its own.</summary>
    public async Task<string> CreateVirtualHostAsync()
    {
        var virtualHost = $"tests-{Interlocked.Increment(ref _sequence)}";
        await _rabbitMq.RabbitMqCtlAsync(["add_vhost", virtualHost], CancellationToken.None);
        await _rabbitMq.RabbitMqCtlAsync(["set_permissions", "-p", virtualHost, RabbitMqServerResource.User, ".*", ".*", ".*"], CancellationToken.None);
        return (await _rabbitMq.ConnectionStringFor(virtualHost).GetValueAsync(CancellationToken.None))!;
    }

    /// <summary>Integrations' settings for the shared broker's management API (partners' AMQP users), as the AppHost gives them.</summary>
    public async Task<Dictionary<string, string>> BrokerManagementSettingsAsync() => new()
    {
        ["Integrations:Amqp:ManagementUri"] = (await _rabbitMq.ManagementUri.GetValueAsync(CancellationToken.None))!,
        ["Integrations:Amqp:ManagementUser"] = RabbitMqServerResource.AdminUser,
        ["Integrations:Amqp:ManagementPassword"] = (await _rabbitMq.AdminPassword.GetValueAsync(CancellationToken.None))!,
    };

    /// <summary>A broker of its own, for tests that stop and start it. The caller disposes it.</summary>
    public static async Task<PrivateBroker> StartPrivateRabbitMqAsync(string name)
    {
        var builder = CreateBuilder(Path.Combine(Root, name));
        var broker = builder.AddRabbitMqServer(name, builder.AddStateFolder());
        var app = builder.Build();
        await app.StartAsync();
        await app.ResourceNotifications.WaitForResourceHealthyAsync(name);
        return new PrivateBroker(app, name, (await broker.Resource.ConnectionStringExpression.GetValueAsync(CancellationToken.None))!);
    }

    private static string NewSecret() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
}

/// <summary>A RabbitMQ node of a test's own, stopped and started through Aspire's own resource commands.</summary>
public sealed class PrivateBroker(DistributedApplication app, string name, string connectionString) : IAsyncDisposable
{
    public string ConnectionString { get; } = connectionString;

    public async Task StopAsync()
    {
        var result = await app.ResourceCommands.ExecuteCommandAsync(name, KnownResourceCommands.StopCommand);
        Assert.True(result.Success, result.Message);
        await app.ResourceNotifications.WaitForResourceAsync(name, KnownResourceStates.TerminalStates);
    }

    public async Task StartAsync()
    {
        var result = await app.ResourceCommands.ExecuteCommandAsync(name, KnownResourceCommands.StartCommand);
        Assert.True(result.Success, result.Message);
        await app.ResourceNotifications.WaitForResourceHealthyAsync(name);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
