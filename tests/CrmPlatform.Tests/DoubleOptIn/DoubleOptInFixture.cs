using System.Text.RegularExpressions;
using CrmPlatform.Mail;
using CrmPlatform.Tests.Infrastructure;

namespace CrmPlatform.Tests.DoubleOptIn;

/// <summary>
/// The four services, with Contacts sending over real SMTP to the Mail project, here in-process on a port of its own;
/// its listener can be stopped and started again on the same port to play a mail server outage.
/// </summary>
public sealed partial class DoubleOptInFixture : IAsyncLifetime
{
    public const string ConfirmationUrl = "https://crm.example.test/api/v1/consents/confirm";

    private MailSink _mailSink = null!;
    public MailStore Mail => _mailSink.Store;
    public PlatformServices Platform { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _mailSink = MailSink.Start();
        Platform = await PlatformServices.StartOnSharedBrokerAsync(new Dictionary<string, string>
        {
            ["ConnectionStrings:mail"] = _mailSink.ConnectionString,
            ["DoubleOptIn:ConfirmationUrl"] = ConfirmationUrl,
            ["DoubleOptIn:From"] = "CRM tests <no-reply@crm.example.test>",
            ["DoubleOptIn:ExpiryCheckInterval"] = "00:00:01",
            ["DoubleOptIn:MaxRetryDelay"] = "00:00:01",
            // Every test confirms from the same (test server) address; the limit has a test of its own.
            ["DoubleOptIn:ConfirmationsPerMinute"] = "100000",
        });
    }

    public Task StopMailServerAsync() => _mailSink.StopSmtpAsync();

    public Task StartMailServerAsync() => _mailSink.StartSmtpAsync();

    public async Task DisposeAsync()
    {
        await Platform.DisposeAsync();
        await _mailSink.DisposeAsync();
    }

    /// <summary>The one email the sink received for <paramref name="address"/> (after <paramref name="skip"/> earlier ones).</summary>
    public async Task<ReceivedMail> EmailToAsync(string address, int skip = 0) => (await Eventually.ReturnsAsync(
        () => Task.FromResult(Mail.Messages.Where(m => m.Recipients.Contains(address)).Reverse().Skip(skip).FirstOrDefault()),
        mail => mail is not null, $"an email to {address} arrives", TimeSpan.FromSeconds(30)))!;

    /// <summary>The token of the confirmation link in the email's text part.</summary>
    public static string TokenIn(ReceivedMail mail)
    {
        var link = ConfirmationLink().Match(mail.Message.TextBody ?? "");
        Assert.True(link.Success, $"No confirmation link in: {mail.Message.TextBody}");
        return link.Groups["token"].Value;
    }

    [GeneratedRegex(@"https://crm\.example\.test/api/v1/consents/confirm\?token=(?<token>[A-Za-z0-9_-]+)")]
    private static partial Regex ConfirmationLink();
}
