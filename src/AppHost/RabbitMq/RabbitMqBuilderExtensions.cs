using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RabbitMQ.Client;

namespace CrmPlatform.AppHost.RabbitMq;

public static class RabbitMqBuilderExtensions
{
    /// <summary>
    /// A RabbitMQ node with its data in <c>{state}/{name}</c>, its own epmd (resource <c>{name}-epmd</c>), ports chosen
    /// at each start, the user and virtual host <c>crm</c> with a password generated into the state folder. Healthy once
    /// that user can open a connection, so <c>WaitFor</c> means "ready for the services".
    /// </summary>
    public static IResourceBuilder<RabbitMqServerResource> AddRabbitMqServer(this IDistributedApplicationBuilder builder, string name, StateFolder state)
    {
        var directory = state.DataFolder(name);
        var password = builder.AddGeneratedSecret(state, $"{name}-password");
        var adminPassword = builder.AddGeneratedSecret(state, $"{name}-admin-password");
        var portMapper = new EpmdResource($"{name}-epmd", directory);
        var epmd = builder.AddResource(portMapper)
            .WithEndpoint(EpmdResource.EndpointName, endpoint => (endpoint.UriScheme, endpoint.IsProxied) = ("tcp", false))
            .WithArgs("-address", "127.0.0.1", "-port", portMapper.PrimaryEndpoint.Property(EndpointProperty.TargetPort))
            .WithIconName("PlugConnected");
        var server = new RabbitMqServerResource(name, directory, password.Resource, adminPassword.Resource, epmd.Resource);
        var healthCheck = new AcceptsLoginCheck(server);
        builder.Services.AddHealthChecks().AddCheck($"{name}-accepts-logins", healthCheck);

        var resource = builder.AddResource(server)
            .WithEndpoint(RabbitMqServerResource.AmqpEndpointName, endpoint => (endpoint.UriScheme, endpoint.IsProxied) = ("amqp", false))
            .WithEndpoint(RabbitMqServerResource.DistributionEndpointName, endpoint => (endpoint.UriScheme, endpoint.IsProxied) = ("tcp", false))
            .WithEndpoint(RabbitMqServerResource.ManagementEndpointName, endpoint => (endpoint.UriScheme, endpoint.IsProxied) = ("http", false))
            .WithEnvironment(context =>
            {
                foreach (var (variable, value) in server.NodeEnvironment(endpoint => endpoint.Property(EndpointProperty.TargetPort)))
                {
                    context.EnvironmentVariables[variable] = value;
                }
            })
            .WithHealthCheck($"{name}-accepts-logins")
            .WithIconName("Mail")
            .AsDataStore()
            .WaitFor(epmd)
            .OnBeforeResourceStarted((server, _, cancellationToken) => WriteConfigurationAsync(server, cancellationToken));
        epmd.WithParentRelationship(resource);
        password.WithParentRelationship(resource);
        adminPassword.WithParentRelationship(resource);
        return resource;
    }

    /// <summary>
    /// Written before every start. A new node's first user is <c>crm</c> rather than <c>guest</c>; definitions.json,
    /// imported at every boot before the node accepts connections, sets that user's password to the one in the state
    /// folder, so a node created earlier (or with another password) follows it too. Both files are private (mode 600).
    /// The management plugin is enabled for Integrations, which provisions partners' users through its HTTP API (the
    /// only way to manage users from a process that is not on the node); its listener is on 127.0.0.1.
    /// </summary>
    private static async Task WriteConfigurationAsync(RabbitMqServerResource server, CancellationToken cancellationToken)
    {
        foreach (var folder in new[] { "home", "mnesia", "log" })
        {
            Directory.CreateDirectory(Path.Combine(server.Directory, folder));
        }

        var password = (await server.Password.GetValueAsync(cancellationToken))!;
        var adminPassword = (await server.AdminPassword.GetValueAsync(cancellationToken))!;
        var definitions = Path.Combine(server.Directory, "definitions.json");
        await WritePrivatelyAsync(definitions, JsonSerializer.Serialize(new
        {
            users = new[]
            {
                new { name = RabbitMqServerResource.User, password_hash = PasswordHash(password), hashing_algorithm = "rabbit_password_hashing_sha256", tags = Array.Empty<string>() },
                new { name = RabbitMqServerResource.AdminUser, password_hash = PasswordHash(adminPassword), hashing_algorithm = "rabbit_password_hashing_sha256", tags = new[] { "administrator" } },
            },
            vhosts = new[] { new { name = RabbitMqServerResource.VirtualHost } },
            permissions = new[] { new { user = RabbitMqServerResource.User, vhost = RabbitMqServerResource.VirtualHost, configure = ".*", write = ".*", read = ".*" } },
        }), cancellationToken);
        await WritePrivatelyAsync(Path.Combine(server.Directory, "rabbitmq.conf"), $"""
            default_user = {RabbitMqServerResource.User}
            default_pass = {password}
            default_vhost = {RabbitMqServerResource.VirtualHost}
            load_definitions = {definitions}
            loopback_users.guest = true
            disk_free_limit.absolute = 50MB
            log.console = true
            log.console.level = info
            log.file = false

            """, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(server.Directory, "rabbitmq-env.conf"), "", cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(server.Directory, "enabled_plugins"), "[rabbitmq_management].\n", cancellationToken);
    }

    /// <summary>RabbitMQ's rabbit_password_hashing_sha256: base64(salt + SHA-256(salt + password)), a 4-byte salt.</summary>
    private static string PasswordHash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(4);
        return Convert.ToBase64String([.. salt, .. SHA256.HashData([.. salt, .. Encoding.UTF8.GetBytes(password)])]);
    }

    private static async Task WritePrivatelyAsync(string file, string contents, CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(file, contents, cancellationToken);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>
    /// Opens a connection as the platform's user once and then checks it is still open: a new connection at every
    /// check would fill the broker's log with a login and a logout every few seconds.
    /// </summary>
    private sealed class AcceptsLoginCheck(RabbitMqServerResource server) : IHealthCheck, IAsyncDisposable
    {
        private IConnection? _connection;

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (_connection is { IsOpen: true })
            {
                return HealthCheckResult.Healthy();
            }

            try
            {
                var factory = new ConnectionFactory
                {
                    Uri = new Uri((await server.ConnectionStringExpression.GetValueAsync(cancellationToken))!),
                    ClientProvidedName = "apphost-health",
                    AutomaticRecoveryEnabled = false,
                };
                var previous = _connection;
                _connection = await factory.CreateConnectionAsync(cancellationToken);
                previous?.Dispose();
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (ex is RabbitMQ.Client.Exceptions.BrokerUnreachableException or IOException or InvalidOperationException)
            {
                return HealthCheckResult.Unhealthy(ex.Message);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_connection is not null)
            {
                await _connection.DisposeAsync();
            }
        }
    }
}
