using System.Net;
using CrmPlatform.Mail;
using CrmPlatform.Marketing.Campaigns;
using CrmPlatform.Marketing.Data;
using CrmPlatform.Persistence.Consents;
using CrmPlatform.Persistence.ContactDirectory;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmPlatform.Tests.Marketing;

/// <summary>
/// Campaigns sent at each recipient's local time, and bounces at send time, on real PostgreSQL, RabbitMQ and SMTP (the
/// Mail sink, which refuses chosen recipients with 550 or 4xx as a real mail server would). Marketing's clock is the
/// system's moved by an offset the test sets, so "09:00 in Berlin, then in New York" takes seconds, not hours; only
/// Marketing's sense of now is moved, never what the test proves (the due times, the sends, the SMTP exchange).
/// </summary>
public sealed class CampaignSchedulingAndBouncesTests(CampaignSchedulingAndBouncesTests.Fixture fixture)
    : IClassFixture<CampaignSchedulingAndBouncesTests.Fixture>
{
    /// <summary>The system clock moved by <see cref="Offset"/> (timers still run in real time).</summary>
    public sealed class ShiftedClock : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;

        public void Set(DateTime utc) => Offset = DateTime.SpecifyKind(utc, DateTimeKind.Utc) - base.GetUtcNow().UtcDateTime;
    }

    public sealed class Fixture : IAsyncLifetime
    {
        public MailSink Mail { get; private set; } = null!;
        public PlatformServices Platform { get; private set; } = null!;
        public ShiftedClock Clock { get; } = new();

        public async Task InitializeAsync()
        {
            Mail = MailSink.Start();
            Platform = await PlatformServices.StartOnSharedBrokerAsync(marketingSettings: new Dictionary<string, string>
            {
                ["ConnectionStrings:mail"] = Mail.ConnectionString,
                ["Marketing:Campaigns:TokenKey"] = Convert.ToBase64String("tests-campaign-token-key-32-bytes!!"u8.ToArray()),
                ["Marketing:Campaigns:PublicBaseUrl"] = "http://localhost",
                ["Marketing:Campaigns:PollInterval"] = "00:00:00.200",
                ["Marketing:Campaigns:ClaimLease"] = "00:00:03",
                ["Marketing:Campaigns:DefaultMessagesPerSecond"] = "500",
                // The tenants' zone: not UTC, so a recipient who falls back to it is told apart from one who fell through.
                ["Marketing:Campaigns:TimeZone"] = "Asia/Tokyo",
                ["Marketing:Campaigns:SoftBounceAttempts"] = "5",
                ["Marketing:Campaigns:SoftBounceRetryDelay"] = "00:00:01",
            }, marketingServices: services => services.AddSingleton<TimeProvider>(Clock));
        }

        public async Task DisposeAsync()
        {
            await Platform.DisposeAsync();
            await Mail.DisposeAsync();
        }
    }

    private PlatformServices Platform => fixture.Platform;
    private MailStore Mail => fixture.Mail.Store;

    private sealed record Person(string Key, string? Country = null)
    {
        public Guid Id { get; } = Guid.CreateVersion7();
        public string Email { get; } = $"{Key}.{Guid.NewGuid():N}@example.com";
    }

    /// <summary>People as Marketing's replicas hold them (what Contacts' events would have written), with newsletter consent.</summary>
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
                Id = p.Id, TenantId = tenantId, Kind = ContactKind.Person, DisplayName = p.Key, Email = p.Email, Country = p.Country, Version = 1,
                CreatedAt = now, UpdatedAt = now,
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

    /// <summary>A draft campaign to a static segment of <paramref name="people"/>; its id.</summary>
    private static async Task<Guid> DraftAsync(HttpClient marketing, params Person[] people)
    {
        var segment = await marketing.PostJsonAsync("/api/v1/segments", new { name = "Readers", kind = "static" }).CreatedAsync();
        Assert.Equal(HttpStatusCode.OK, (await marketing.PostJsonAsync($"/api/v1/segments/{segment.Id()}/members",
            new { personIds = people.Select(p => p.Id) })).Status);
        var template = await marketing.PostJsonAsync("/api/v1/email-templates", new
        {
            name = "Morning news", language = "en", subject = "Good morning {{ person.first_name }}",
            html = "<html><body><p>Good morning</p></body></html>", text = "Good morning",
        }).CreatedAsync();
        var campaign = await marketing.PostJsonAsync("/api/v1/campaigns", new
        {
            name = "Morning", templateId = template.Id(), segmentId = segment.Id(), purpose = "newsletter", from = "news@acme.example",
        }).CreatedAsync();
        return campaign.Id();
    }

    private static async Task<Guid> SendNowAsync(HttpClient marketing, params Person[] people)
    {
        var id = await DraftAsync(marketing, people);
        var sent = await marketing.SendJsonAsync(HttpMethod.Post, $"/api/v1/campaigns/{id}/send", new { }, ifMatch: "\"1\"");
        Assert.True(sent.Status == HttpStatusCode.OK, $"{sent.Status}: {sent.Body}");
        return id;
    }

    private int MailsTo(Person person) => Mail.Messages.Count(m => m.To.Contains(person.Email, StringComparer.OrdinalIgnoreCase));

    private Task<Dictionary<Guid, CampaignRecipient>> RecipientsAsync(Guid campaignId) =>
        PlatformServices.QueryAsync(Platform.Marketing, db => db.CampaignRecipients.IgnoreQueryFilters().AsNoTracking()
            .Where(r => r.CampaignId == campaignId).ToDictionaryAsync(r => r.PersonId));

    private Task<string> StatusAsync(Guid campaignId) =>
        PlatformServices.QueryAsync(Platform.Marketing, db => db.Campaigns.IgnoreQueryFilters().AsNoTracking()
            .Where(c => c.Id == campaignId).Select(c => c.Status).SingleAsync());

    private static Task<System.Text.Json.JsonElement> FinishedAsync(HttpClient marketing, Guid campaignId) =>
        Eventually.ReturnsAsync(async () => (await marketing.GetJsonAsync($"/api/v1/campaigns/{campaignId}/statistics")).Body,
            stats => stats.GetProperty("status").GetString() == "sent", "the campaign finished sending", TimeSpan.FromSeconds(30));

    [Fact]
    public async Task A_campaign_at_nine_local_reaches_each_recipient_at_nine_in_their_own_zone_across_a_dst_change()
    {
        var (tenantId, token) = await Platform.Identity.NewTenantAsync();
        var marketing = Platform.ClientFor(Platform.Marketing, token);
        Person berlin = new("berlin", "DE"), newYork = new("newyork", "US"), unknown = new("unknown");
        await SeedAsync(tenantId, berlin, newYork, unknown);
        var campaignId = await DraftAsync(marketing, berlin, newYork, unknown);
        var url = $"/api/v1/campaigns/{campaignId}/send";

        // Unknown zones and modes, and zones where the mode names its own, are refused before anything changes.
        (await marketing.SendJsonAsync(HttpMethod.Post, url, new { localTime = "2027-03-14T09:00:00", timeZone = "Mars/Olympus_Mons" }, ifMatch: "\"1\""))
            .AssertProblem(HttpStatusCode.BadRequest);
        (await marketing.SendJsonAsync(HttpMethod.Post, url, new { localTime = "2027-03-14T09:00:00", timeZone = "W. Europe Standard Time" }, ifMatch: "\"1\""))
            .AssertProblem(HttpStatusCode.BadRequest);
        (await marketing.SendJsonAsync(HttpMethod.Post, url, new { localTime = "2027-03-14T09:00:00", timeZoneMode = "sometimes" }, ifMatch: "\"1\""))
            .AssertProblem(HttpStatusCode.BadRequest);
        (await marketing.SendJsonAsync(HttpMethod.Post, url,
            new { localTime = "2027-03-14T09:00:00", timeZoneMode = "recipient", timeZone = "Europe/Berlin" }, ifMatch: "\"1\"")).AssertProblem(HttpStatusCode.BadRequest);
        (await marketing.SendJsonAsync(HttpMethod.Post, url, new { timeZoneMode = "recipient" }, ifMatch: "\"1\"")).AssertProblem(HttpStatusCode.BadRequest);
        Assert.Equal("draft", await StatusAsync(campaignId));

        // 14 March 2027: New York has just moved to summer time (UTC-4), Berlin has not yet (UTC+1); Tokyo (the tenant's) has none.
        var scheduled = await marketing.SendJsonAsync(HttpMethod.Post, url, new { localTime = "2027-03-14T09:00:00", timeZoneMode = "recipient" }, ifMatch: "\"1\"");
        Assert.True(scheduled.Status == HttpStatusCode.OK, $"{scheduled.Status}: {scheduled.Body}");
        Assert.Equal("recipient", scheduled.Body.Str("timeZoneMode"));
        // Starts when the first zone on Earth (UTC+14) reaches 09:00.
        Assert.Equal(new DateTime(2027, 3, 13, 19, 0, 0, DateTimeKind.Utc), scheduled.Body.GetProperty("scheduledAt").GetDateTime().ToUniversalTime());

        var clock = fixture.Clock;
        try
        {
            clock.Set(new DateTime(2027, 3, 13, 23, 59, 50));
            var recipients = await Eventually.ReturnsAsync(() => RecipientsAsync(campaignId), r => r.Count == 3, "sending started with the audience fixed");
            Assert.Equal(new DateTime(2027, 3, 14, 0, 0, 0, DateTimeKind.Utc), recipients[unknown.Id].DueAt!.Value.ToUniversalTime());
            Assert.Equal(new DateTime(2027, 3, 14, 8, 0, 0, DateTimeKind.Utc), recipients[berlin.Id].DueAt!.Value.ToUniversalTime());
            Assert.Equal(new DateTime(2027, 3, 14, 13, 0, 0, DateTimeKind.Utc), recipients[newYork.Id].DueAt!.Value.ToUniversalTime());
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Equal(0, MailsTo(unknown) + MailsTo(berlin) + MailsTo(newYork));

            clock.Set(new DateTime(2027, 3, 14, 0, 0, 1));
            await Eventually.TrueAsync(() => Task.FromResult(MailsTo(unknown) == 1), "09:00 in Tokyo, the tenant's zone, for the one with no country");
            clock.Set(new DateTime(2027, 3, 14, 7, 59, 0));
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Equal(0, MailsTo(berlin) + MailsTo(newYork));

            clock.Set(new DateTime(2027, 3, 14, 8, 0, 1));
            await Eventually.TrueAsync(() => Task.FromResult(MailsTo(berlin) == 1), "09:00 in Berlin");
            clock.Set(new DateTime(2027, 3, 14, 12, 59, 0));
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Equal(0, MailsTo(newYork));
            Assert.Equal("sending", await StatusAsync(campaignId));

            clock.Set(new DateTime(2027, 3, 14, 13, 0, 1));
            await Eventually.TrueAsync(() => Task.FromResult(MailsTo(newYork) == 1), "09:00 in New York, on summer time");
            await Eventually.TrueAsync(async () => await StatusAsync(campaignId) == "sent", "the campaign finished");
        }
        finally
        {
            clock.Offset = TimeSpan.Zero;
        }
        Assert.Equal([1, 1, 1], new[] { MailsTo(unknown), MailsTo(berlin), MailsTo(newYork) });
    }

    [Fact]
    public async Task A_local_time_in_a_fixed_or_the_tenants_zone_is_one_instant_and_a_time_the_clocks_skip_moves_on_by_the_gap()
    {
        var (tenantId, token) = await Platform.Identity.NewTenantAsync();
        var marketing = Platform.ClientFor(Platform.Marketing, token);
        Person someone = new("someone", "DE");
        await SeedAsync(tenantId, someone);

        // 28 March 2027, 02:30 in Berlin does not exist (02:00 → 03:00): it is read as 03:30 CEST, 01:30 UTC.
        var fixedId = await DraftAsync(marketing, someone);
        var atGap = await marketing.SendJsonAsync(HttpMethod.Post, $"/api/v1/campaigns/{fixedId}/send",
            new { localTime = "2027-03-28T02:30:00", timeZone = "Europe/Berlin" }, ifMatch: "\"1\"");
        Assert.True(atGap.Status == HttpStatusCode.OK, $"{atGap.Status}: {atGap.Body}");
        Assert.Equal("fixed", atGap.Body.Str("timeZoneMode"));
        Assert.Equal(new DateTime(2027, 3, 28, 1, 30, 0, DateTimeKind.Utc), atGap.Body.GetProperty("scheduledAt").GetDateTime().ToUniversalTime());

        // No zone named: the tenant's (Tokyo here, UTC+9).
        var tenantZoneId = await DraftAsync(marketing, someone);
        var inTenantZone = await marketing.SendJsonAsync(HttpMethod.Post, $"/api/v1/campaigns/{tenantZoneId}/send",
            new { localTime = "2027-03-28T09:00:00" }, ifMatch: "\"1\"");
        Assert.True(inTenantZone.Status == HttpStatusCode.OK, $"{inTenantZone.Status}: {inTenantZone.Body}");
        Assert.Equal("tenant", inTenantZone.Body.Str("timeZoneMode"));
        Assert.Equal("Asia/Tokyo", inTenantZone.Body.Str("timeZone"));
        Assert.Equal(new DateTime(2027, 3, 28, 0, 0, 0, DateTimeKind.Utc), inTenantZone.Body.GetProperty("scheduledAt").GetDateTime().ToUniversalTime());
        foreach (var id in new[] { fixedId, tenantZoneId })
        {
            Assert.Equal(HttpStatusCode.OK, (await marketing.SendJsonAsync(HttpMethod.Post, $"/api/v1/campaigns/{id}/cancel", new { }, ifMatch: "\"2\"")).Status);
        }
    }

    [Fact]
    public async Task A_550_at_send_time_bounces_the_recipient_suppresses_the_address_and_the_next_campaign_skips_it()
    {
        var (tenantId, token) = await Platform.Identity.NewTenantAsync();
        var marketing = Platform.ClientFor(Platform.Marketing, token);
        Person gone = new("gone"), reader = new("reader");
        await SeedAsync(tenantId, gone, reader);
        fixture.Mail.Refusals.Refuse(gone.Email, 550);

        var first = await SendNowAsync(marketing, gone, reader);
        var stats = await FinishedAsync(marketing, first);
        Assert.Equal(1, stats.GetProperty("sent").GetInt32());
        Assert.Equal(1, stats.GetProperty("delivered").GetInt32());
        Assert.Equal(1, stats.GetProperty("bounced").GetInt32());
        Assert.Equal(1, stats.GetProperty("failed").GetInt32());
        var recipients = await RecipientsAsync(first);
        Assert.Equal(RecipientStatuses.Failed, recipients[gone.Id].Status);
        Assert.NotNull(recipients[gone.Id].BouncedAt);
        Assert.StartsWith("550", recipients[gone.Id].Error);
        Assert.Equal(0, MailsTo(gone));
        Assert.Equal(1, MailsTo(reader));
        var suppressions = (await marketing.GetJsonAsync("/api/v1/suppressions")).Items();
        var suppression = Assert.Single(suppressions);
        Assert.Equal(gone.Email.ToLowerInvariant(), suppression.Str("email"));
        Assert.Equal("hard-bounce", suppression.Str("reason"));

        // The sink would still refuse it, but it is never asked: the gate skips the suppressed address.
        var second = await SendNowAsync(marketing, gone, reader);
        var again = await FinishedAsync(marketing, second);
        Assert.Equal(1, again.GetProperty("sent").GetInt32());
        Assert.Equal(0, again.GetProperty("bounced").GetInt32());
        var secondRecipients = await RecipientsAsync(second);
        Assert.Equal(RecipientStatuses.Skipped, secondRecipients[gone.Id].Status);
        Assert.Equal(SkipReasons.Suppressed, secondRecipients[gone.Id].SkipReason);
        Assert.Equal(0, MailsTo(gone));
        Assert.Equal(2, MailsTo(reader));
    }

    [Fact]
    public async Task A_4xx_is_retried_and_delivered_once_the_server_accepts_and_bounces_without_suppression_when_it_never_does()
    {
        var (tenantId, token) = await Platform.Identity.NewTenantAsync();
        var marketing = Platform.ClientFor(Platform.Marketing, token);
        Person later = new("later"), never = new("never");
        await SeedAsync(tenantId, later, never);
        fixture.Mail.Refusals.Refuse(later.Email, 451);
        fixture.Mail.Refusals.Refuse(never.Email, 452);

        var campaignId = await SendNowAsync(marketing, later, never);
        await Eventually.ReturnsAsync(() => RecipientsAsync(campaignId), r => r.Count == 2 && r[later.Id].Attempts >= 1,
            "the first try was refused for now");
        var waiting = (await RecipientsAsync(campaignId))[later.Id];
        Assert.Equal(RecipientStatuses.Pending, waiting.Status);
        Assert.StartsWith("451", waiting.Error);
        Assert.Equal(0, MailsTo(later));
        fixture.Mail.Refusals.Accept(later.Email);

        var stats = await FinishedAsync(marketing, campaignId);
        Assert.Equal(1, stats.GetProperty("sent").GetInt32());
        Assert.Equal(1, stats.GetProperty("bounced").GetInt32());
        var recipients = await RecipientsAsync(campaignId);
        Assert.Equal(RecipientStatuses.Sent, recipients[later.Id].Status);
        Assert.Null(recipients[later.Id].BouncedAt);
        Assert.Equal(1, MailsTo(later));
        Assert.Equal(RecipientStatuses.Failed, recipients[never.Id].Status);
        Assert.Equal(5, recipients[never.Id].Attempts);
        Assert.NotNull(recipients[never.Id].BouncedAt);
        Assert.Equal(0, MailsTo(never));
        // A soft bounce suppresses nothing: the mailbox may take mail next time.
        Assert.Empty((await marketing.GetJsonAsync("/api/v1/suppressions")).Items());
    }
}
