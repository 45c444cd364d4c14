using CrmPlatform.AppHost.Orchestration;
using CrmPlatform.AppHost.Postgres;
using CrmPlatform.AppHost.Processes;
using Npgsql;

namespace CrmPlatform.AppHost.Model;

/// <summary>One PostgreSQL server; each service gets a database of its own on it (<see cref="AddDatabase"/>).</summary>
public sealed class PostgresServerResource : Resource
{
    private readonly PlatformModel _model;

    internal PostgresServerResource(string name, PlatformModel model)
        : base(name, ResourceKind.PostgresServer) => _model = model;

    /// <summary>Set at the first start.</summary>
    public PostgresServer? Server { get; private set; }

    public override int? ProcessId => Server?.ProcessId;

    internal override Task<int> Exited => Server!.Exited;

    /// <summary>A database owned by <paramref name="owner"/>, a login role that can reach nothing else.</summary>
    public PostgresDatabaseResource AddDatabase(string name, string owner) =>
        _model.Add(new PostgresDatabaseResource(name, this, owner));

    internal override async Task StartAsync(RunContext context, CancellationToken cancellationToken)
    {
        Server ??= new PostgresServer(new PostgresServerOptions
        {
            DataDirectory = Path.Combine(context.State.Path, "postgres"),
            Port = context.State.GetPort(Name),
            SuperuserPassword = context.State.GetSecret(Name),
            Output = OutputTo(context),
            ProcessStarted = pid => context.State.PidFiles.Add(Name, pid, Posix.SIGINT),
        });
        await Server.StartAsync(cancellationToken);
        SetEndpoint("tcp", $"tcp://127.0.0.1:{Server.Port}");
    }

    internal override string HealthProbe => "PostgreSQL connection";

    internal override async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(Server!.AdminConnectionString + ";Pooling=false");
        await connection.OpenAsync(cancellationToken);
        return true;
    }

    internal override Task StopAsync(CancellationToken cancellationToken) =>
        Server?.StopAsync(TimeSpan.FromSeconds(20), cancellationToken) ?? Task.CompletedTask;
}
