using CrmPlatform.Mail;
using CrmPlatform.Mail.Smtp;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace CrmPlatform.Tests.Infrastructure;

/// <summary>
/// The Mail project in the test process, on real Kestrel and a free SMTP port (<c>Mail:SmtpPort=0</c>): what services
/// send to and tests read from. Its SMTP listener can be stopped and started again on the same port (an outage).
/// </summary>
public sealed class MailSink : IAsyncDisposable
{
    private readonly ServiceFactory<MailStore> _factory;

    private MailSink(ServiceFactory<MailStore> factory)
    {
        _factory = factory;
        Http = new HttpClient { BaseAddress = new Uri(Address) };
    }

    /// <param name="settings">More of the <c>Mail</c> section, such as a small <c>Mail:MaxMessageBytes</c>.</param>
    public static MailSink Start(IReadOnlyDictionary<string, string>? settings = null)
    {
        var configuration = new Dictionary<string, string> { ["Mail:SmtpPort"] = "0" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            configuration[key] = value;
        }
        var factory = new ServiceFactory<MailStore>(configuration);
        factory.StartOnKestrel();
        return new MailSink(factory);
    }

    public MailStore Store => _factory.Services.GetRequiredService<MailStore>();
    /// <summary>Addresses the SMTP side refuses (550 or 4xx) until accepted again.</summary>
    public RecipientRefusals Refusals => _factory.Services.GetRequiredService<RecipientRefusals>();
    public SmtpListener Smtp => _factory.Services.GetRequiredService<SmtpListener>();
    public int SmtpPort => Smtp.Port;

    /// <summary>What the AppHost gives services as <c>ConnectionStrings__mail</c>.</summary>
    public string ConnectionString => $"smtp://127.0.0.1:{SmtpPort}";

    /// <summary>The web side: <c>http://127.0.0.1:port</c>.</summary>
    public string Address => _factory.Address;

    /// <summary>A client of the web side, over TCP.</summary>
    public HttpClient Http { get; }

    /// <summary>Delivers <paramref name="message"/> over SMTP with MailKit, as the platform's services send.</summary>
    public async Task SendAsync(MimeMessage message)
    {
        using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", SmtpPort, SecureSocketOptions.None);
        await client.SendAsync(message);
        await client.DisconnectAsync(quit: true);
    }

    public Task StopSmtpAsync() => Smtp.StopAsync(CancellationToken.None);

    public Task StartSmtpAsync() => Smtp.StartAsync(CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _factory.DisposeAsync();
    }
}
