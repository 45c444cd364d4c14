using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CrmPlatform.AppHost.Postgres;

public static class PostgresBuilderExtensions
{
    /// <summary>
    /// SIGTERM, which DCP and <see cref="OrderlyShutdown"/> send, is PostgreSQL's "smart" shutdown: it waits for every
    /// client to leave, and DCP kills what has not exited 5 s later. This shell turns SIGTERM into SIGINT, a fast
    /// shutdown that ends the sessions and writes a checkpoint, and exits with the server's own exit code.
    /// </summary>
    private const string SignalForwarder = """
        trap 'kill -INT "$pid" 2>/dev/null' TERM INT
        "$@" & pid=$!
        wait "$pid"; status=$?
        while kill -0 "$pid" 2>/dev/null; do wait "$pid"; status=$?; done
        exit "$status"
        """;

    /// <summary>
    /// A PostgreSQL server with its data in <c>{state}/{name}</c>, initialised (initdb) at its first start, on a port
    /// chosen at each start, loopback only.
    /// </summary>
    /// <param name="durable">False turns off fsync and friends: fast, but a crash may lose data. For tests only.</param>
    public static IResourceBuilder<PostgresServerResource> AddPostgresServer(
        this IDistributedApplicationBuilder builder, string name, StateFolder state, bool durable = true, int maxConnections = 200)
    {
        var password = builder.AddGeneratedSecret(state, $"{name}-password");
        var server = new PostgresServerResource(name, state.DataFolder(name), password.Resource) { State = state };
        builder.Services.AddHealthChecks().AddAsyncCheck($"{name}-accepts-connections", cancellationToken =>
            AcceptsConnectionsAsync(server.AdminConnectionString(), cancellationToken));

        List<string> settings = ["listen_addresses=127.0.0.1", $"max_connections={maxConnections}"];
        if (!durable)
        {
            settings.AddRange(["fsync=off", "synchronous_commit=off", "full_page_writes=off"]);
        }

        var resource = builder.AddResource(server)
            .WithEndpoint(PostgresServerResource.EndpointName, endpoint => (endpoint.UriScheme, endpoint.IsProxied) = ("tcp", false))
            .WithArgs([
                "-c", SignalForwarder, "postgres", .. AsPostgresUser(PostgresInstallation.Program("postgres")),
                "-D", server.DataDirectory, "-k", server.DataDirectory,
                "-p", server.PrimaryEndpoint.Property(EndpointProperty.TargetPort),
                .. settings.SelectMany(setting => new[] { "-c", setting }),
            ])
            .WithHealthCheck($"{name}-accepts-connections")
            .WithIconName("DatabaseMultiple")
            .AsDataStore()
            .OnBeforeResourceStarted((server, @event, cancellationToken) =>
                PostgresDataDirectory.PrepareAsync(server, durable, Logger(@event.Services, server), cancellationToken))
            .OnResourceReady((server, @event, cancellationToken) => SetUpRolesAndDatabasesAsync(server, @event.Services, cancellationToken));
        builder.Eventing.Subscribe<ResourceStoppedEvent>(server, (@event, _) => MarkDatabasesStoppedAsync(server, @event.Services));
        password.WithParentRelationship(resource);
        return resource;
    }

    /// <summary>
    /// A database of this server, owned by the login role <paramref name="owner"/> (whose password is generated into the
    /// state folder), which can reach no other database.
    /// </summary>
    public static IResourceBuilder<PostgresDatabaseResource> AddDatabase(this IResourceBuilder<PostgresServerResource> server, string name, string owner)
    {
        var builder = server.ApplicationBuilder;
        var password = builder.AddGeneratedSecret(server.Resource.State, $"{name}-password");
        var database = new PostgresDatabaseResource(name, owner, password.Resource, server.Resource);
        server.Resource.Databases.Add(database);
        builder.Services.AddHealthChecks().AddAsyncCheck($"{name}-accepts-logins", async cancellationToken =>
            await AcceptsConnectionsAsync(await database.ConnectionStringExpression.GetValueAsync(cancellationToken), cancellationToken));

        var resource = builder.AddResource(database)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "PostgresDatabase",
                State = KnownResourceStates.Waiting,
                Properties = [new("postgres.owner", owner)],
            })
            .WithHealthCheck($"{name}-accepts-logins")
            .WithIconName("Database");
        password.WithParentRelationship(resource);
        return resource;
    }

    /// <summary>
    /// Creates (or updates) the login role <paramref name="owner"/> with this password and the database it owns, which
    /// other roles cannot connect to. Safe to run again.
    /// </summary>
    public static async Task CreateDatabaseAsync(NpgsqlConnection admin, string database, string owner, string ownerPassword, CancellationToken cancellationToken)
    {
        var role = Identifier(owner);
        var roleExists = await ExistsAsync(admin, "SELECT 1 FROM pg_roles WHERE rolname = $1", owner, cancellationToken);
        await ExecuteAsync(admin, $"{(roleExists ? "ALTER" : "CREATE")} ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {Literal(ownerPassword)}", cancellationToken);

        var name = Identifier(database);
        if (!await ExistsAsync(admin, "SELECT 1 FROM pg_database WHERE datname = $1", database, cancellationToken))
        {
            await ExecuteAsync(admin, $"CREATE DATABASE {name} OWNER {role}", cancellationToken);
        }

        await ExecuteAsync(admin, $"ALTER DATABASE {name} OWNER TO {role}", cancellationToken);
        await ExecuteAsync(admin, $"REVOKE ALL ON DATABASE {name} FROM PUBLIC", cancellationToken);
    }

    /// <summary>initdb refuses to run as root, and the data folder must belong to whoever runs the server.</summary>
    internal static IEnumerable<string> AsPostgresUser(string program) =>
        ChildProcess.IsRoot ? ["setpriv", "--reuid=postgres", "--regid=postgres", "--clear-groups", program] : [program];

    /// <summary>
    /// The superuser's TCP password is set at every start (over the socket), so that it always is the one in the state
    /// folder; then every database and its owner, and the databases' states on the dashboard.
    /// </summary>
    private static async Task SetUpRolesAndDatabasesAsync(PostgresServerResource server, IServiceProvider services, CancellationToken cancellationToken)
    {
        var notifications = services.GetRequiredService<ResourceNotificationService>();
        await using var admin = new NpgsqlConnection(server.AdminConnectionString());
        await admin.OpenAsync(cancellationToken);
        var superuserPassword = await server.SuperuserPassword.GetValueAsync(cancellationToken);
        await ExecuteAsync(admin, $"ALTER ROLE {PostgresServerResource.Superuser} PASSWORD {Literal(superuserPassword!)}", cancellationToken);
        foreach (var database in server.Databases)
        {
            try
            {
                await CreateDatabaseAsync(admin, database.Name, database.Owner, (await database.OwnerPassword.GetValueAsync(cancellationToken))!, cancellationToken);
                await notifications.PublishUpdateAsync(database, snapshot => snapshot with
                {
                    State = KnownResourceStates.Running,
                    StartTimeStamp = DateTime.UtcNow,
                    StopTimeStamp = null,
                });
            }
            catch (PostgresException ex)
            {
                Logger(services, database).LogError(ex, "Could not create database {Database} for {Owner}", database.Name, database.Owner);
                await notifications.PublishUpdateAsync(database, snapshot => snapshot with { State = KnownResourceStates.FailedToStart });
            }
        }
    }

    /// <summary>Nothing is reachable without the server; shown as such until it is ready again.</summary>
    private static async Task MarkDatabasesStoppedAsync(PostgresServerResource server, IServiceProvider services)
    {
        var notifications = services.GetRequiredService<ResourceNotificationService>();
        foreach (var database in server.Databases)
        {
            await notifications.PublishUpdateAsync(database, snapshot => snapshot with
            {
                State = KnownResourceStates.Exited,
                StopTimeStamp = DateTime.UtcNow,
            });
        }
    }

    private static async Task<HealthCheckResult> AcceptsConnectionsAsync(string? connectionString, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }

    internal static ILogger Logger(IServiceProvider services, IResource resource) =>
        services.GetRequiredService<ResourceLoggerService>().GetLogger(resource);

    private static async Task<bool> ExistsAsync(NpgsqlConnection connection, string query, string value, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(query, connection) { Parameters = { new() { Value = value } } };
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string statement, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(statement, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    // Role and database names cannot be query parameters.
    private static string Identifier(string name) => $"\"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    private static string Literal(string value) => $"'{value.Replace("'", "''", StringComparison.Ordinal)}'";
}
