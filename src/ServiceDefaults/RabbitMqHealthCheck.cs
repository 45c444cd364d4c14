using Microsoft.Extensions.Diagnostics.HealthChecks;
using RabbitMQ.Client;

namespace CrmPlatform.ServiceDefaults;

/// <summary>
/// Readiness of the broker measured by a connection of our own: MassTransit's bus check can stay Healthy for a while
/// after the broker has gone away. One connection is kept open and reopened when it drops.
/// </summary>
public sealed class RabbitMqHealthCheck(Uri brokerUri) : IHealthCheck, IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_connection is { IsOpen: true })
            {
                return HealthCheckResult.Healthy();
            }

            if (_connection is not null)
            {
                await _connection.DisposeAsync();
                _connection = null;
            }

            var factory = new ConnectionFactory
            {
                Uri = brokerUri,
                RequestedConnectionTimeout = TimeSpan.FromSeconds(2),
                AutomaticRecoveryEnabled = false,
                ClientProvidedName = "health-check",
            };
            _connection = await factory.CreateConnectionAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "RabbitMQ is unreachable.", ex);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
        _gate.Dispose();
    }
}
