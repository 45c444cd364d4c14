using System.Net;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using SmtpServer;
using SmtpServer.Net;

namespace CrmPlatform.Service.Mail.Inbound;

/// <summary>
/// The service's own SMTP server for its support addresses (the SmtpServer library, as the development mail sink uses
/// it): RCPT TO is checked against the support addresses, each message becomes a ticket or a reply before the 250.
/// </summary>
public sealed partial class InboundSmtpListener(
    IServiceScopeFactory scopes, InboundMailMetrics metrics, IOptions<InboundSmtpOptions> options, ILogger<InboundSmtpListener> logger) : IHostedService
{
    private Run? _run;
    private volatile bool _listening;

    /// <summary>The bound port: the configured one, or the one the system chose for port 0.</summary>
    public int Port { get; private set; }

    public bool IsListening => _listening;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var endpoints = new EndpointListenerFactory();
        var bound = new TaskCompletionSource<IPEndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        endpoints.EndpointStarted += (_, e) =>
        {
            _listening = true;
            bound.TrySetResult((IPEndPoint)e.LocalEndPoint);
        };
        endpoints.EndpointStopped += (_, _) => _listening = false;

        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(endpoints);
        services.Add(new SupportAddressFilter(scopes));
        services.Add(new TicketMessageStore(scopes, metrics, logger));
        var server = new SmtpServer.SmtpServer(new SmtpServerOptionsBuilder()
            .ServerName(settings.ServerName)
            .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Parse(settings.BindAddress), settings.Port)))
            .MaxMessageSize(settings.MaxMessageBytes, MaxMessageSizeHandling.Strict)
            .Build(), services);
        server.SessionFaulted += (_, e) => LogSessionFaulted(logger, e.Exception);

        var stopping = new CancellationTokenSource();
        var running = server.StartAsync(stopping.Token);
        // The library binds inside StartAsync and tells the port only through EndpointStarted; a port in use ends the run.
        if (await Task.WhenAny(bound.Task, running).WaitAsync(cancellationToken) == running)
        {
            stopping.Dispose();
            await running;
            throw new InvalidOperationException("The inbound SMTP listener stopped before it was listening.");
        }
        Port = (await bound.Task).Port;
        _run = new Run(stopping, running);
        LogListening(logger, settings.BindAddress, Port);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Taken atomically: the host can stop its services twice at once (its StopAsync and its disposal).
        if (Interlocked.Exchange(ref _run, null) is not { } run)
        {
            return;
        }
        await run.Stopping.CancelAsync();
        await run.Server.WaitAsync(cancellationToken);
        run.Stopping.Dispose();
    }

    private sealed record Run(CancellationTokenSource Stopping, Task Server);

    [LoggerMessage(Level = LogLevel.Information, Message = "Inbound SMTP listening on {Address}:{Port}")]
    private static partial void LogListening(ILogger logger, string address, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An inbound SMTP session failed")]
    private static partial void LogSessionFaulted(ILogger logger, Exception exception);
}

/// <summary>Healthy while the SMTP port is open: customers' mail depends on it as much as on the web API.</summary>
internal sealed class InboundSmtpHealthCheck(InboundSmtpListener listener) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(listener.IsListening
            ? HealthCheckResult.Healthy($"Listening on port {listener.Port}")
            : HealthCheckResult.Unhealthy("The inbound SMTP listener is not listening"));
}

public static class InboundMailExtensions
{
    public static void AddInboundMail(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<InboundSmtpOptions>().BindConfiguration(InboundSmtpOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<InboundMailMetrics>();
        builder.Services.AddScoped<InboundMailProcessor>();
        builder.Services.AddSingleton<InboundSmtpListener>();
        builder.Services.AddHostedService(services => services.GetRequiredService<InboundSmtpListener>());
        builder.Services.AddHealthChecks().AddCheck<InboundSmtpHealthCheck>("smtp");
    }
}
