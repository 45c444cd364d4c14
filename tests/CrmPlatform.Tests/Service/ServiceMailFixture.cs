using System.Text.RegularExpressions;
using CrmPlatform.Mail;
using CrmPlatform.Tests.Infrastructure;

namespace CrmPlatform.Tests.Service;

/// <summary>The four services, with Service sending over real SMTP to the Mail project's sink, in-process.</summary>
public sealed partial class ServiceMailFixture : IAsyncLifetime
{
    public const string SupportAddress = "support@help.example.test";
    public const string RatingUrl = "https://help.example.test/api/v1/help-centre/csat";
    public static readonly byte[] SigningKey = Enumerable.Range(1, 32).Select(b => (byte)b).ToArray();

    private MailSink _mailSink = null!;
    public MailStore Mail => _mailSink.Store;
    public PlatformServices Platform { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _mailSink = MailSink.Start();
        Platform = await PlatformServices.StartOnSharedBrokerAsync(serviceSettings: new Dictionary<string, string>
        {
            ["ConnectionStrings:mail"] = _mailSink.ConnectionString,
            ["Service:Mail:From"] = $"Example Support <{SupportAddress}>",
            ["Service:Mail:MaxRetryDelay"] = "00:00:01",
            ["Service:Csat:RatingUrl"] = RatingUrl,
            ["Service:Csat:SigningKey"] = Convert.ToBase64String(SigningKey),
        });
    }

    public async Task DisposeAsync()
    {
        await Platform.DisposeAsync();
        await _mailSink.DisposeAsync();
    }

    /// <summary>The emails the sink received for <paramref name="address"/>, once <paramref name="count"/> have arrived.</summary>
    public async Task<List<ReceivedMail>> EmailsToAsync(string address, int count) => (await Eventually.ReturnsAsync(
        () => Task.FromResult(Mail.Messages.Where(m => m.Recipients.Contains(address)).OrderBy(m => m.ReceivedAt).ToList()),
        mails => mails.Count >= count, $"{count} email(s) to {address} arrive", TimeSpan.FromSeconds(30)))!;

    /// <summary>The token of the rating link in a CSAT email's text part.</summary>
    public static string RatingTokenIn(ReceivedMail mail)
    {
        var link = RatingLink().Match(mail.Message.TextBody ?? "");
        Assert.True(link.Success, $"No rating link in: {mail.Message.TextBody}");
        return link.Groups["token"].Value;
    }

    [GeneratedRegex(@"https://help\.example\.test/api/v1/help-centre/csat/(?<token>[A-Za-z0-9_-]+)\?rating=good")]
    private static partial Regex RatingLink();
}
