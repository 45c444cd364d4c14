using Npgsql;

namespace CrmPlatform.AppHost.Postgres;

/// <summary>
/// A PostgreSQL server run from the machine's installation (no container): its data in a folder of the state folder,
/// listening on 127.0.0.1 only. TCP logins need a password (scram-sha-256); the Unix socket in the data folder trusts
/// the local user, which is how the app host checks health and creates databases whatever the passwords are.
/// </summary>
public sealed class PostgresServerResource(string name, string dataDirectory, ParameterResource superuserPassword)
    // Started through a shell that turns DCP's SIGTERM into SIGINT (see PostgresBuilderExtensions.SignalForwarder).
    : ExecutableResource(name, "sh", dataDirectory), IResourceWithConnectionString
{
    internal const string EndpointName = "tcp";
    public const string Superuser = "postgres";

    public string DataDirectory { get; } = dataDirectory;

    public ParameterResource SuperuserPassword { get; } = superuserPassword;

    public EndpointReference PrimaryEndpoint => field ??= new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host=127.0.0.1;Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username={Superuser};Password={SuperuserPassword}");

    internal List<PostgresDatabaseResource> Databases { get; } = [];

    /// <summary>Where the databases' generated passwords are kept.</summary>
    internal StateFolder State { get; init; } = null!;

    /// <summary>The superuser over the Unix socket, which needs no password: for setting up roles and databases.</summary>
    public string AdminConnectionString(string database = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = DataDirectory,
        Port = PrimaryEndpoint.Port,
        Database = database,
        Username = Superuser,
        Pooling = false,
        Timeout = 5,
    }.ConnectionString;
}

/// <summary>
/// A database of a <see cref="PostgresServerResource"/>, owned by a login role of its own that can reach nothing else:
/// created (or its password reset) each time the server becomes ready.
/// </summary>
public sealed class PostgresDatabaseResource(string name, string owner, ParameterResource ownerPassword, PostgresServerResource server)
    : Resource(name), IResourceWithParent<PostgresServerResource>, IResourceWithConnectionString
{
    public PostgresServerResource Parent { get; } = server;

    public string Owner { get; } = owner;

    public ParameterResource OwnerPassword { get; } = ownerPassword;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host=127.0.0.1;Port={Parent.PrimaryEndpoint.Property(EndpointProperty.Port)};Database={Name};Username={Owner};Password={OwnerPassword}");
}
