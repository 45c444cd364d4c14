using System.Net;
using Microsoft.Extensions.Options;
using SmtpServer;
using SmtpServer.Net;

namespace CrmPlatform.Mail.Smtp;

/// <summary>
/// The SMTP side of the sink: the SmtpServer library on 127.0.0.1, keeping every message in the <see cref="MailStore"/>.
/// A hosted service, so the app starts and stops it; tests also stop and start it to play a mail server outage. A
/// restart binds the port the first start got (even when port 0 let the system choose it), so clients that were given
/// that port find the server again.
/// </summary>
public sealed partial class SmtpListener(MailStore store, RecipientRefusals refusals, IOptions<MailOptions> options, ILogger<SmtpListener> logger) : IHostedService
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private CancellationTokenSource? _stopping;
    private Task? _running;
    private volatile bool _listening;

    /// <summary>The bound port: the configured one, or the one the system chose for port 0; 0 before the first start.</summary>
    public int Port { get; private set; }

    /// <summary>True from the moment the port is bound until the listener closes it.</summary>
    public bool IsListening => _listening;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_running is not null)
            {
                throw new InvalidOperationException("The SMTP listener is already running.");
            }
            var endpoints = new NoDelayEndpointListenerFactory();
            var bound = new TaskCompletionSource<IPEndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
            endpoints.EndpointStarted += (_, e) =>
            {
                _listening = true;
                bound.TrySetResult((IPEndPoint)e.LocalEndPoint);
            };
            endpoints.EndpointStopped += (_, _) => _listening = false;

            var services = new SmtpServer.ComponentModel.ServiceProvider();
            services.Add(endpoints);
            services.Add(new StoringMessageStore(store, logger));
            services.Add(new RefusingMailboxFilter(refusals));
            var server = new SmtpServer.SmtpServer(ServerOptions(Port != 0 ? Port : options.Value.SmtpPort), services);
            server.SessionFaulted += (_, e) => LogSessionFaulted(logger, e.Exception);

            var stopping = new CancellationTokenSource();
            var running = server.StartAsync(stopping.Token);
            try
            {
                // The library binds inside StartAsync and tells the port only through EndpointStarted; a port in use
                // ends the run instead, with the error to rethrow here.
                if (await Task.WhenAny(bound.Task, running).WaitAsync(cancellationToken) == running)
                {
                    await running;
                    throw new InvalidOperationException("The SMTP listener stopped before it was listening.");
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
            LogListening(logger, Port);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Closes the port and ends the sessions in progress at once, as an outage would: a message not yet acknowledged
    /// is not kept, and its sender, which got no 250, sends it again later.
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
            LogStopped(logger, Port);
        }
        finally
        {
            _gate.Release();
        }
    }

    private ISmtpServerOptions ServerOptions(int port) => new SmtpServerOptionsBuilder()
        .ServerName("localhost")
        // Loopback only: the sink has no authentication and accepts mail for anyone.
        .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, port)))
        // Strict: refuse a message that outgrows the limit while it arrives, not only one whose SIZE= says so.
        .MaxMessageSize(options.Value.MaxMessageBytes, MaxMessageSizeHandling.Strict)
        .Build();

    [LoggerMessage(Level = LogLevel.Information, Message = "SMTP listening on 127.0.0.1:{Port}")]
    private static partial void LogListening(ILogger logger, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "SMTP on 127.0.0.1:{Port} stopped")]
    private static partial void LogStopped(ILogger logger, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An SMTP session failed")]
    private static partial void LogSessionFaulted(ILogger logger, Exception exception);
}
