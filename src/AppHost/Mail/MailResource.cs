using System.Net.Sockets;
using CrmPlatform.AppHost.Model;
using CrmPlatform.AppHost.Orchestration;

namespace CrmPlatform.AppHost.Mail;

/// <summary>
/// The platform's SMTP server for development, like Aspire's MailPit or MailDev resources: an <see cref="SmtpSink"/>
/// inside the AppHost (no process of its own), on a port kept in the state folder. Projects that reference it get
/// <c>ConnectionStrings__{name}</c> = <c>smtp://127.0.0.1:port</c>; what it receives is read on the dashboard's Mail
/// page and at <c>/api/mail</c>. Stopping it closes the port, which is how a mail server outage is tried out.
/// </summary>
public sealed class MailResource : Resource, IResourceWithConnectionString
{
    private SmtpSink? _sink;
    private TaskCompletionSource<int> _exited = new();

    internal MailResource(string name)
        : base(name, ResourceKind.Mail)
    {
    }

    /// <summary>Kept across stops and starts, so a restart loses no mail.</summary>
    public MailStore Store { get; } = new();

    public string? ConnectionString { get; private set; }

    public override int? ProcessId => null;

    /// <summary>An in-process listener does not exit on its own.</summary>
    internal override Task<int> Exited => _exited.Task;

    internal override Task StartAsync(RunContext context, CancellationToken cancellationToken)
    {
        _exited = new TaskCompletionSource<int>();
        _sink = new SmtpSink(Store, context.State.GetPort(Name), log: OutputTo(context));
        _sink.Start();
        ConnectionString = _sink.ConnectionString;
        SetEndpoint("smtp", ConnectionString);
        return Task.CompletedTask;
    }

    internal override string HealthProbe => "SMTP port";

    internal override async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", _sink!.Port, cancellationToken);
        return true;
    }

    internal override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_sink is not null)
        {
            await _sink.DisposeAsync();
            _sink = null;
        }
    }
}
