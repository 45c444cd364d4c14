using CrmPlatform.AppHost.Orchestration;
using Npgsql;

namespace CrmPlatform.AppHost.Model;

/// <summary>A database on a <see cref="PostgresServerResource"/>, created at start with its owner role. No process.</summary>
public sealed class PostgresDatabaseResource : Resource, IResourceWithConnectionString
{
    private static readonly Task<int> Never = new TaskCompletionSource<int>().Task;

    internal PostgresDatabaseResource(string name, PostgresServerResource server, string owner)
        : base(name, ResourceKind.PostgresDatabase)
    {
        Server = server;
        Owner = owner;
        DependsOn(server);
    }

    public PostgresServerResource Server { get; }

    public string Owner { get; }

    public string? ConnectionString { get; private set; }

    public override int? ProcessId => null;

    internal override Task<int> Exited => Never;

    internal override async Task StartAsync(RunContext context, CancellationToken cancellationToken)
    {
        var password = context.State.GetSecret(Name);
        await Server.Server!.CreateDatabaseAsync(Name, Owner, password, cancellationToken);
        ConnectionString = Server.Server.GetConnectionString(Name, Owner, password);
    }

    internal override string HealthProbe => "database connection";

    internal override async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString + ";Pooling=false");
        await connection.OpenAsync(cancellationToken);
        return true;
    }

    internal override Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
