using System.IO.Pipelines;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using SmtpServer;
using SmtpServer.IO;
using SmtpServer.Net;

namespace CrmPlatform.Smtp;

/// <summary>
/// The library's endpoints with Nagle's algorithm off on every accepted connection. With it on, the replies to a
/// pipelined <c>MAIL FROM</c>/<c>RCPT TO</c>/<c>DATA</c> (MailKit pipelines) leave as separate small segments and the
/// second waits for the client's delayed ACK: about 40 ms per message, which made every sender look slow
/// (docs/benchmarks.md, CampaignBench). Real mail servers answer a pipelined group in one flush. SmtpServer 11 exposes
/// neither the accepted socket nor its pipe type, hence this listener and pipe; they do no SMTP themselves.
/// </summary>
internal sealed class NoDelayEndpointListenerFactory : EndpointListenerFactory
{
    public override IEndpointListener CreateListener(IEndpointDefinition endpointDefinition)
    {
        var listener = new TcpListener(endpointDefinition.Endpoint);
        listener.Start();
        var started = new EndpointEventArgs(endpointDefinition, listener.LocalEndpoint);
        OnEndpointStarted(started);
        return new NoDelayEndpointListener(listener, () => OnEndpointStopped(started));
    }
}

internal sealed class NoDelayEndpointListener(TcpListener listener, Action stopped) : IEndpointListener
{
    public async Task<ISecurableDuplexPipe> GetPipeAsync(ISessionContext context, CancellationToken cancellationToken)
    {
        var client = await listener.AcceptTcpClientAsync(cancellationToken);
        client.NoDelay = true;
        context.Properties.Add(EndpointListener.LocalEndPointKey, listener.LocalEndpoint);
        context.Properties.Add(EndpointListener.RemoteEndPointKey, client.Client.RemoteEndPoint!);
        return new StreamPipe(client.GetStream(), client.Dispose);
    }

    public void Dispose()
    {
        listener.Stop();
        stopped();
    }
}

/// <summary>A connection's stream as the library's pipe; the listeners offer no STARTTLS, so it never upgrades.</summary>
internal sealed class StreamPipe(Stream stream, Action close) : ISecurableDuplexPipe
{
    public PipeReader Input { get; } = PipeReader.Create(stream);
    public PipeWriter Output { get; } = PipeWriter.Create(stream);
    public bool IsSecure => false;
    public SslProtocols SslProtocol => SslProtocols.None;

    public Task UpgradeAsync(X509Certificate certificate, SslProtocols protocols, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("This SMTP listener does not offer TLS.");

    public void Dispose()
    {
        stream.Dispose();
        close();
    }
}
