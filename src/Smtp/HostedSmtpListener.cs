using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmtpServer;

namespace CrmPlatform.Smtp;

/// <summary>
/// An SMTP listener on the SmtpServer library as a hosted service: the mail sink, Service's support addresses and
/// Marketing's bounces differ only in whom they accept (their <see cref="SmtpServer.Storage.IMailboxFilter"/>) and what
/// they do with a message (their <see cref="SmtpServer.Storage.IMessageStore"/>). The host starts and stops it; tests
/// also stop and start it to play an outage. A restart binds the port the first start got (even when port 0 let the
/// system choose it), so clients that were given that port find the server again.
/// </summary>
public abstract partial class HostedSmtpListener(ILogger logger) : IHostedService
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private CancellationTokenSource? _stopping;
    private Task? _running;
    private volatile bool _listening;

    /// <summary>For the filter and store, so their lines carry the listener's category.</summary>
    protected ILogger Logger { get; } = logger;

    /// <summary>The bound port: the configured one, or the one the system chose for port 0; 0 before the first start.</summary>
    public int Port { get; private set; }

    /// <summary>True from the moment the port is bound until the listener closes it.</summary>
    public bool IsListening => _listening;

    /// <summary>What the logs call it (<c>SMTP</c>, <c>Inbound SMTP</c>, …).</summary>
    protected abstract string Name { get; }

    protected abstract SmtpListenerOptions Options { get; }

    /// <summary>The filter and the store of this listener.</summary>
    protected abstract void AddComponents(SmtpServer.ComponentModel.ServiceProvider components);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_running is not null)
            {
                throw new InvalidOperationException($"The {Name} listener is already running.");
            }
            var settings = Options;
            var endpoints = new NoDelayEndpointListenerFactory();
            var bound = new TaskCompletionSource<IPEndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
            endpoints.EndpointStarted += (_, e) =>
            {
                _listening = true;
                bound.TrySetResult((IPEndPoint)e.LocalEndPoint);
            };
            endpoints.EndpointStopped += (_, _) => _listening = false;

            var components = new SmtpServer.ComponentModel.ServiceProvider();
            components.Add(endpoints);
            AddComponents(components);
            var server = new SmtpServer.SmtpServer(new SmtpServerOptionsBuilder()
                .ServerName(settings.ServerName)
                .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Parse(settings.BindAddress), Port != 0 ? Port : settings.Port)))
                // Strict: refuse a message that outgrows the limit while it arrives, not only one whose SIZE= says so.
                .MaxMessageSize(settings.MaxMessageBytes, MaxMessageSizeHandling.Strict)
                .Build(), components);
            server.SessionFaulted += (_, e) => LogSessionFaulted(Logger, Name, e.Exception);

            var stopping = new CancellationTokenSource();
            var running = server.StartAsync(stopping.Token);
            try
            {
                // The library binds inside StartAsync and tells the port only through EndpointStarted; a port in use
                // ends the run instead, with the error to rethrow here.
                if (await Task.WhenAny(bound.Task, running).WaitAsync(cancellationToken) == running)
                {
                    await running;
                    throw new InvalidOperationException($"The {Name} listener stopped before it was listening.");
                }
            }
            catch
            {
                await stopping.CancelAsync();
                stopping.Dispose();
                throw;
            }
            Port = (await bound.Task).Port;
            (_stopping, _running) = (stopping, running);
            LogListening(Logger, Name, settings.BindAddress, Port);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Closes the port and ends the sessions in progress at once, as an outage would: a message not yet acknowledged
    /// is not kept, and its sender, which got no 250, sends it again later. Twice is harmless (the host stops its
    /// services on StopAsync and again on disposal).
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(CancellationToken.None);
        try
        {
            if (_running is null)
            {
                return;
            }
            await _stopping!.CancelAsync();
            await _running.WaitAsync(cancellationToken);
            _running = null;
            _stopping.Dispose();
            LogStopped(Logger, Name, Port);
        }
        finally
        {
            _gate.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Listener} listening on {Address}:{Port}")]
    private static partial void LogListening(ILogger logger, string listener, string address, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Listener} on port {Port} stopped")]
    private static partial void LogStopped(ILogger logger, string listener, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A session of the {Listener} listener failed")]
    private static partial void LogSessionFaulted(ILogger logger, string listener, Exception exception);
}

/// <summary>Healthy while the SMTP port is open: what the senders of this mail depend on, more than the web API.</summary>
public sealed class SmtpListenerHealthCheck<TListener>(TListener listener) : IHealthCheck where TListener : HostedSmtpListener
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(listener.IsListening
            ? HealthCheckResult.Healthy($"Listening on port {listener.Port}")
            : HealthCheckResult.Unhealthy("The SMTP listener is not listening"));
}

public static class SmtpListenerExtensions
{
    /// <summary>
    /// One instance for both roles, the hosted service and the one tests reach to read the port or stop it; with a
    /// health check named <paramref name="healthCheck"/>.
    /// </summary>
    public static IServiceCollection AddSmtpListener<TListener>(this IServiceCollection services, string healthCheck) where TListener : HostedSmtpListener
    {
        services.AddSingleton<TListener>();
        services.AddHostedService(provider => provider.GetRequiredService<TListener>());
        services.AddHealthChecks().AddCheck<SmtpListenerHealthCheck<TListener>>(healthCheck);
        return services;
    }
}
