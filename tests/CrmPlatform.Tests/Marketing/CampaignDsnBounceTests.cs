using System.Net;
using System.Text.RegularExpressions;
using CrmPlatform.Mail;
using CrmPlatform.Marketing.Bounces;
using CrmPlatform.Marketing.Campaigns;
using CrmPlatform.Marketing.Data;
using CrmPlatform.Persistence.Consents;
using CrmPlatform.Persistence.ContactDirectory;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace CrmPlatform.Tests.Marketing;

/// <summary>
/// Bounces reported later by a delivery status notification (RFC 3464), on real PostgreSQL, RabbitMQ and SMTP: the
/// campaign goes to the Mail sink with a tokenised envelope sender, and the test plays the recipient's mail system,
/// sending a DSN with MailKit to Marketing's bounce listener, addressed to that envelope sender. Every outcome is read
/// from the API (statistics, suppressions) and the sink (what was sent), as a marketer and a mail system see them.
/// </summary>
public sealed partial class CampaignDsnBounceTests(CampaignDsnBounceTests.Fixture fixture) : IClassFixture<CampaignDsnBounceTests.Fixture>
{
    private const string BounceDomain = "bounces.test.example";

    public sealed class Fixture : IAsyncLifetime
    {
        public MailSink Mail { get; private set; } = null!;
        public PlatformServices Platform { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Mail = MailSink.Start();
            Platform = await PlatformServices.StartOnSharedBrokerAsync(marketingSettings: new Dictionary<string, string>
            {
                ["ConnectionStrings:mail"] = Mail.ConnectionString,
                ["Marketing:Campaigns:TokenKey"] = Convert.ToBase64String("tests-campaign-token-key-32-bytes!!"u8.ToArray()),
                ["Marketing:Campaigns:PublicBaseUrl"] = "http://localhost",
                ["Marketing:Campaigns:PollInterval"] = "00:00:00.200",
                ["Marketing:Campaigns:DefaultMessagesPerSecond"] = "500",
                ["Marketing:Bounces:Domain"] = BounceDomain,
                ["Marketing:Bounces:Port"] = "0",
            });
        }

        public async Task DisposeAsync()
        {
            await Platform.DisposeAsync();
            await Mail.DisposeAsync();
        }
    }

    private PlatformServices Platform => fixture.Platform;
    private int BouncePort => Platform.Marketing.Services.GetRequiredService<BounceListener>().Port;

    /// <summary>Someone to send to; <paramref name="KnownId"/> and <paramref name="KnownEmail"/> for a person Contacts made.</summary>
    private sealed record Person(string Key, Guid? KnownId = null, string? KnownEmail = null)
    {
        public Guid Id { get; } = KnownId ?? Guid.CreateVersion7();
        public string Email { get; } = KnownEmail ?? $"{Key}.{Guid.NewGuid():N}@example.com";
    }

    [GeneratedRegex($"^bounces\\+[0-9a-f]{{52}}@{BounceDomain}$")]
    private static partial Regex EnvelopeSender();

    private async Task SeedAsync(Guid tenantId, params Person[] people)
    {
        await using var scope = Platform.Marketing.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().TenantId = tenantId;
        var db = scope.ServiceProvider.GetRequiredService<MarketingDbContext>();
        var now = DateTime.UtcNow;
        foreach (var p in people)
        {
            db.DirectoryContacts.Add(new DirectoryContact
            {
                Id = p.Id, TenantId = tenantId, Kind = ContactKind.Person, DisplayName = p.Key, Email = p.Email, Version = 1, CreatedAt = now, UpdatedAt = now,
            });
            db.RecipientProfiles.Add(new RecipientProfile { Id = p.Id, TenantId = tenantId, FirstName = p.Key, Version = 1, CreatedAt = now, UpdatedAt = now });
            db.ConsentReplicas.Add(new ConsentReplica
            {
                Id = Guid.NewGuid(), TenantId = tenantId, PersonId = p.Id, Purpose = "newsletter", Channel = "email", Status = "granted",
                ValidFrom = now.AddDays(-30), ChangedAt = now.AddDays(-30), Version = 1, CreatedAt = now, UpdatedAt = now,
            });
        }
        await db.SaveChangesAsync();
    }

    /// <summary>A campaign to a static segment of <paramref name="people"/>, sent now and finished; its id.</summary>
    private static async Task<Guid> SendAsync(HttpClient marketing, params Person[] people)
    {
        var segment = await marketing.PostJsonAsync("/api/v1/segments", new { name = "Readers", kind = "static" }).CreatedAsync();
        Assert.Equal(HttpStatusCode.OK, (await marketing.PostJsonAsync($"/api/v1/segments/{segment.Id()}/members",
            new { personIds = people.Select(p => p.Id) })).Status);
        var template = await marketing.PostJsonAsync("/api/v1/email-templates", new
        {
            name = "News", language = "en", subject = "News for {{ person.first_name }}", html = "<html><body><p>News</p></body></html>", text = "News",
        }).CreatedAsync();
        var campaign = await marketing.PostJsonAsync("/api/v1/campaigns", new
        {
            name = "News", templateId = template.Id(), segmentId = segment.Id(), purpose = "newsletter", from = "Acme News <news@acme.example>",
        }).CreatedAsync();
        var sent = await marketing.SendJsonAsync(HttpMethod.Post, $"/api/v1/campaigns/{campaign.Id()}/send", new { }, ifMatch: "\"1\"");
        Assert.True(sent.Status == HttpStatusCode.OK, $"{sent.Status}: {sent.Body}");
        await StatisticsAsync(marketing, campaign.Id(), finished: true);
        return campaign.Id();
    }

    private static async Task<System.Text.Json.JsonElement> StatisticsAsync(HttpClient marketing, Guid campaignId, bool finished = false) =>
        finished
            ? await Eventually.ReturnsAsync(async () => (await marketing.GetJsonAsync($"/api/v1/campaigns/{campaignId}/statistics")).Body,
                stats => stats.GetProperty("status").GetString() == "sent", "the campaign finished sending", TimeSpan.FromSeconds(30))
            : (await marketing.GetJsonAsync($"/api/v1/campaigns/{campaignId}/statistics")).Body;

    private ReceivedMail[] MailsTo(Person person) =>
        fixture.Mail.Store.Messages.Where(m => m.To.Contains(person.Email, StringComparer.OrdinalIgnoreCase)).ToArray();

    /// <summary>
    /// A DSN as a receiving mail system writes it: a human-readable part, the machine-readable status (one
    /// per-message and one per-recipient group) and the original's headers (text/rfc822-headers).
    /// </summary>
    private static MimeMessage Dsn(ReceivedMail original, string recipient, string action, string status, bool returnHeaders = true)
    {
        var report = new MultipartReport("delivery-status")
        {
            new TextPart("plain") { Text = $"Delivery to {recipient} {action}." },
        };
        var deliveryStatus = new MessageDeliveryStatus();
        deliveryStatus.StatusGroups.Add(new HeaderList { new Header("Reporting-MTA", "dns; mx.example.net") });
        deliveryStatus.StatusGroups.Add(new HeaderList
        {
            new Header("Final-Recipient", $"rfc822; {recipient}"),
            new Header("Action", action),
            new Header("Status", status),
            new Header("Diagnostic-Code", status.StartsWith('5') ? "smtp; 550 5.1.1 <" + recipient + ">: user unknown" : "smtp; 451 4.4.7 try again later"),
        });
        report.Add(deliveryStatus);
        if (returnHeaders)
        {
            var headers = new MimeMessage();
            headers.Headers.Clear();
            foreach (var header in original.Message.Headers)
            {
                headers.Headers.Add(header);
            }
            report.Add(new TextRfc822Headers { Message = headers });
        }
        var dsn = new MimeMessage { Subject = "Undelivered Mail Returned to Sender", Body = report };
        dsn.From.Add(new MailboxAddress("Mail Delivery System", "mailer-daemon@mx.example.net"));
        dsn.To.Add(MailboxAddress.Parse(original.MailFrom));
        return dsn;
    }

    /// <summary>Sends <paramref name="message"/> to the bounce listener with a null reverse path, as DSNs are sent (RFC 3464 2.1).</summary>
    private async Task SendToBounceListenerAsync(MimeMessage message, string to)
    {
        using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", BouncePort, SecureSocketOptions.None);
        await client.SendAsync(message, new MailboxAddress("", ""), [MailboxAddress.Parse(to)]);
        await client.DisconnectAsync(quit: true);
    }

    [Fact]
    public async Task A_dsn_for_one_recipient_bounces_them_once_suppresses_the_address_and_a_later_campaign_skips_them()
    {
        var (tenantId, token) = await Platform.Identity.NewTenantAsync();
        var marketing = Platform.ClientFor(Platform.Marketing, token);
        Person gone = new("gone"), reader = new("reader");
        await SeedAsync(tenantId, gone, reader);

        var first = await SendAsync(marketing, gone, reader);
        var toGone = Assert.Single(MailsTo(gone));
        var toReader = Assert.Single(MailsTo(reader));
        // Each message has its own envelope sender on the bounce domain, and none shows the address it went to.
        Assert.Matches(EnvelopeSender(), toGone.MailFrom);
        Assert.Matches(EnvelopeSender(), toReader.MailFrom);
        Assert.NotEqual(toGone.MailFrom, toReader.MailFrom);
        Assert.DoesNotContain(gone.Key, toGone.MailFrom);
        Assert.Equal("news@acme.example", toGone.Message.From.Mailboxes.Single().Address);
        var before = await StatisticsAsync(marketing, first);
        Assert.Equal(2, before.GetProperty("delivered").GetInt32());
        Assert.Equal(0, before.GetProperty("bounced").GetInt32());

        var dsn = Dsn(toGone, gone.Email, "failed", "5.1.1");
        await SendToBounceListenerAsync(dsn, toGone.MailFrom);

        var stats = await StatisticsAsync(marketing, first);
        Assert.Equal(2, stats.GetProperty("sent").GetInt32());
        Assert.Equal(1, stats.GetProperty("delivered").GetInt32());
        Assert.Equal(1, stats.GetProperty("bounced").GetInt32());
        var suppression = Assert.Single((await marketing.GetJsonAsync("/api/v1/suppressions")).Items());
        Assert.Equal(gone.Email.ToLowerInvariant(), suppression.Str("email"));
        Assert.Equal("hard-bounce", suppression.Str("reason"));
        Assert.Equal(first.ToString(), suppression.Str("campaignId"));
        Assert.StartsWith("5.1.1", suppression.Str("note"));

        // The reporting system sends the same DSN again (its 250 got lost): it counts once.
        await SendToBounceListenerAsync(dsn, toGone.MailFrom);
        var again = await StatisticsAsync(marketing, first);
        Assert.Equal(1, again.GetProperty("bounced").GetInt32());
        Assert.Equal(1, again.GetProperty("delivered").GetInt32());
        Assert.Single((await marketing.GetJsonAsync("/api/v1/suppressions")).Items());

        // A later campaign does not send to the bounced address.
        var second = await SendAsync(marketing, gone, reader);
        var later = await StatisticsAsync(marketing, second);
        Assert.Equal(1, later.GetProperty("sent").GetInt32());
        Assert.Equal(1, later.GetProperty("skipped").GetInt32());
        Assert.Equal(1, later.GetProperty("skippedByReason").GetProperty(SkipReasons.Suppressed).GetInt32());
        Assert.Single(MailsTo(gone));
        Assert.Equal(2, MailsTo(reader).Length);
    }

    [Fact]
    public async Task A_delay_a_forged_token_mail_that_is_no_dsn_and_a_dsn_for_another_address_change_nothing_and_relaying_is_refused()
    {
        var (tenantId, token) = await Platform.Identity.NewTenantAsync();
        var marketing = Platform.ClientFor(Platform.Marketing, token);
        Person person = new("person");
        await SeedAsync(tenantId, person);
        var campaignId = await SendAsync(marketing, person);
        var original = Assert.Single(MailsTo(person));

        // Delayed (4.x.x): the mail system is still trying; not a bounce.
        await SendToBounceListenerAsync(Dsn(original, person.Email, "delayed", "4.4.7"), original.MailFrom);
        // A failed 4.x.x is no hard bounce either.
        await SendToBounceListenerAsync(Dsn(original, person.Email, "failed", "4.2.2"), original.MailFrom);
        // A permanent failure to a token we did not sign: one hex digit changed, and one made up.
        var hex = original.MailFrom["bounces+".Length..original.MailFrom.IndexOf('@')];
        var changed = (hex[0] == 'a' ? 'b' : 'a') + hex[1..];
        await SendToBounceListenerAsync(Dsn(original, person.Email, "failed", "5.1.1"), $"bounces+{changed}@{BounceDomain}");
        await SendToBounceListenerAsync(Dsn(original, person.Email, "failed", "5.1.1"), $"bounces+{new string('0', 52)}@{BounceDomain}");
        await SendToBounceListenerAsync(Dsn(original, person.Email, "failed", "5.1.1"), $"bounces+not-a-token@{BounceDomain}");
        // An auto-reply to the envelope sender is no DSN.
        var autoReply = new MimeMessage { Subject = "Out of office", Body = new TextPart("plain") { Text = "Back on Monday." } };
        autoReply.From.Add(MailboxAddress.Parse(person.Email));
        await SendToBounceListenerAsync(autoReply, original.MailFrom);
        // Without a token, the returned Message-ID names the message, but the report is about another address.
        await SendToBounceListenerAsync(Dsn(original, "someone.else@example.com", "failed", "5.1.1"), $"bounces@{BounceDomain}");

        var stats = await StatisticsAsync(marketing, campaignId);
        Assert.Equal(0, stats.GetProperty("bounced").GetInt32());
        Assert.Equal(1, stats.GetProperty("delivered").GetInt32());
        Assert.Empty((await marketing.GetJsonAsync("/api/v1/suppressions")).Items());

        // No open relay: mail for anyone but the bounce address is refused at RCPT TO.
        foreach (var elsewhere in new[] { "victim@example.org", $"postmaster@{BounceDomain}", $"bounces+{hex}@example.org" })
        {
            var refused = await Assert.ThrowsAsync<SmtpCommandException>(() => SendToBounceListenerAsync(autoReply, elsewhere));
            Assert.Equal(SmtpErrorCode.RecipientNotAccepted, refused.ErrorCode);
            Assert.Equal(550, (int)refused.StatusCode);
        }

        // The listener was answering all along: the genuine report, by the returned Message-ID alone, counts.
        await SendToBounceListenerAsync(Dsn(original, person.Email, "failed", "5.1.1"), $"bounces@{BounceDomain}");
        var bounced = await StatisticsAsync(marketing, campaignId);
        Assert.Equal(1, bounced.GetProperty("bounced").GetInt32());
        Assert.Equal(0, bounced.GetProperty("delivered").GetInt32());
        Assert.Equal("hard-bounce", Assert.Single((await marketing.GetJsonAsync("/api/v1/suppressions")).Items()).Str("reason"));
    }
}
