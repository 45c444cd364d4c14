using System.Net;
using System.Text.RegularExpressions;
using CrmPlatform.Mail;
using CrmPlatform.Marketing.Campaigns;
using CrmPlatform.Marketing.Data;
using CrmPlatform.Persistence.Consents;
using CrmPlatform.Persistence.ContactDirectory;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace CrmPlatform.Tests.Marketing;

/// <summary>
/// Email campaigns end to end on real PostgreSQL, RabbitMQ and SMTP (the Mail sink): personalised templates reach the
/// consenting members of a segment with the RFC 8058 headers; everyone the consent gate refuses gets nothing, with the
/// reason recorded; the one-click unsubscribe works from the header alone and lands in Contacts' consent history; a
/// restart mid-send sends nobody twice and nobody not at all; opens and clicks count once per person and a changed
/// link never redirects. Each test works in a tenant of its own.
/// </summary>
public sealed partial class CampaignsTests(CampaignsTests.Fixture fixture) : IClassFixture<CampaignsTests.Fixture>
{
    public sealed class Fixture : IAsyncLifetime
    {
        public MailSink Mail { get; private set; } = null!;
        public PlatformServices Platform { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Mail = MailSink.Start(new Dictionary<string, string> { ["Mail:Capacity"] = "5000" });
            Platform = await PlatformServices.StartOnSharedBrokerAsync(marketingSettings: new Dictionary<string, string>
            {
                ["ConnectionStrings:mail"] = Mail.ConnectionString,
                ["Marketing:Campaigns:TokenKey"] = Convert.ToBase64String("tests-campaign-token-key-32-bytes!!"u8.ToArray()),
                ["Marketing:Campaigns:PublicBaseUrl"] = "http://localhost",
                ["Marketing:Campaigns:PollInterval"] = "00:00:00.200",
                ["Marketing:Campaigns:ClaimLease"] = "00:00:03",
                ["Marketing:Campaigns:DefaultMessagesPerSecond"] = "500",
                ["Marketing:Campaigns:Connections"] = "4",
            });
        }

        public async Task DisposeAsync()
        {
            await Platform.DisposeAsync();
            await Mail.DisposeAsync();
        }
    }

    private PlatformServices Platform => fixture.Platform;
    private MailStore Mail => fixture.Mail.Store;

    private sealed record Tenant(Guid Id, string Token)
    {
        public HttpClient Marketing(PlatformServices platform) => platform.ClientFor(platform.Marketing, Token);
    }

    private async Task<Tenant> NewTenantAsync()
    {
        var (tenantId, token) = await Platform.Identity.NewTenantAsync();
        return new Tenant(tenantId, token);
    }

    /// <summary>One person as Marketing's replicas hold them (what Contacts' events would have written).</summary>
    private sealed record Seeded(
        string Key, string? FirstName = "Test", string? Language = null, string? Consent = "granted", DateTime? ValidUntil = null,
        bool Restricted = false, bool Objected = false, bool DoNotEmail = false)
    {
        public Guid Id { get; } = Guid.CreateVersion7();
        public string Email { get; } = $"{Key}.{Guid.NewGuid():N}@example.com";
    }

    private async Task SeedAsync(Guid tenantId, IEnumerable<Seeded> people)
    {
        await using var scope = Platform.Marketing.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().TenantId = tenantId;
        var db = scope.ServiceProvider.GetRequiredService<MarketingDbContext>();
        var now = DateTime.UtcNow;
        foreach (var p in people)
        {
            db.DirectoryContacts.Add(new DirectoryContact
            {
                Id = p.Id, TenantId = tenantId, Kind = ContactKind.Person, DisplayName = $"{p.FirstName} {p.Key}", Email = p.Email, Version = 1,
                ProcessingRestricted = p.Restricted, ObjectsToDirectMarketing = p.Objected, CreatedAt = now, UpdatedAt = now,
            });
            db.RecipientProfiles.Add(new RecipientProfile
            {
                Id = p.Id, TenantId = tenantId, FirstName = p.FirstName, LastName = p.Key, Language = p.Language, DoNotEmail = p.DoNotEmail,
                Version = 1, CreatedAt = now, UpdatedAt = now,
            });
            if (p.Consent is { } status)
            {
                db.ConsentReplicas.Add(new ConsentReplica
                {
                    Id = Guid.NewGuid(), TenantId = tenantId, PersonId = p.Id, Purpose = "newsletter", Channel = "email", Status = status,
                    ValidFrom = now.AddDays(-30), ValidUntil = p.ValidUntil, ChangedAt = now.AddDays(-30), Version = 1, CreatedAt = now, UpdatedAt = now,
                });
            }
        }
        await db.SaveChangesAsync();
    }

    private static object Template() => new
    {
        name = "Winter newsletter",
        language = "en",
        subject = "Hello {{ person.first_name | default: \"there\" }}, our winter news",
        html = "<html><body><p>Dear {{ person.first_name | default: \"friend\" }},</p><p><a href=\"https://www.acme.example/winter?src=mail&amp;x=1\">Read more</a></p>"
            + "<p><a href=\"{{ unsubscribe.url }}\">Unsubscribe</a></p></body></html>",
        text = "Dear {{ person.first_name | default: \"friend\" }},\nRead more: https://www.acme.example/winter\nUnsubscribe: {{ unsubscribe.url }}",
        variants = new[]
        {
            new { language = "de", subject = "Hallo {{ person.first_name | default: \"zusammen\" }}, Neues vom Winter",
                html = "<html><body><p>Liebe(r) {{ person.first_name }}</p></body></html>", text = "Liebe(r) {{ person.first_name }}" },
        },
    };

    /// <summary>A static segment of <paramref name="people"/>, a template and a campaign to them, sent now; its id.</summary>
    private async Task<Guid> SendCampaignAsync(HttpClient marketing, IEnumerable<Guid> people, int? messagesPerSecond = null, Guid? segmentId = null,
        object? abTest = null)
    {
        if (segmentId is null)
        {
            var segment = await marketing.PostJsonAsync("/api/v1/segments", new { name = "Newsletter readers", kind = "static" }).CreatedAsync();
            segmentId = segment.Id();
            foreach (var chunk in people.Chunk(1000))
            {
                Assert.Equal(HttpStatusCode.OK, (await marketing.PostJsonAsync($"/api/v1/segments/{segmentId}/members", new { personIds = chunk })).Status);
            }
        }
        var template = await marketing.PostJsonAsync("/api/v1/email-templates", Template()).CreatedAsync();
        var campaign = await marketing.PostJsonAsync("/api/v1/campaigns", new
        {
            name = "Winter 2026", templateId = template.Id(), segmentId, purpose = "newsletter", from = "Acme News <news@acme.example>", messagesPerSecond,
            abTest,
        }).CreatedAsync();
        var sent = await marketing.SendJsonAsync(HttpMethod.Post, $"/api/v1/campaigns/{campaign.Id()}/send", new { }, ifMatch: "\"1\"");
        Assert.True(sent.Status == HttpStatusCode.OK, $"{sent.Status}: {sent.Body}");
        return campaign.Id();
    }

    private static Task<System.Text.Json.JsonElement> FinishedAsync(HttpClient marketing, Guid campaignId, TimeSpan? timeout = null) =>
        Eventually.ReturnsAsync(async () => (await marketing.GetJsonAsync($"/api/v1/campaigns/{campaignId}/statistics")).Body,
            stats => stats.GetProperty("status").GetString() == "sent", "the campaign finished sending", timeout ?? TimeSpan.FromSeconds(30));

    private List<ReceivedMail> MailsTo(string email) => Mail.Messages.Where(m => m.To.Contains(email, StringComparer.OrdinalIgnoreCase)).ToList();

    private async Task<Dictionary<Guid, CampaignRecipient>> RecipientsAsync(Guid campaignId) =>
        await PlatformServices.QueryAsync(Platform.Marketing, db => db.CampaignRecipients.IgnoreQueryFilters().AsNoTracking()
            .Where(r => r.CampaignId == campaignId).ToDictionaryAsync(r => r.PersonId));

    [Fact]
    public async Task A_campaign_reaches_consenting_members_personalised_and_the_gate_skips_everyone_else_with_the_reason()
    {
        var tenant = await NewTenantAsync();
        var marketing = tenant.Marketing(Platform);
        Seeded ada = new("ada", FirstName: "Ada"), nameless = new("nameless", FirstName: null), grete = new("grete", FirstName: "Grete", Language: "de-AT");
        Seeded[] refused =
        [
            new("no-record", Consent: null), new("withdrawn", Consent: "withdrawn"), new("expired", ValidUntil: DateTime.UtcNow.AddDays(-1)),
            new("pending", Consent: "pending"), new("restricted", Restricted: true), new("objected", Objected: true),
            new("do-not-email", DoNotEmail: true), new("suppressed"),
        ];
        await SeedAsync(tenant.Id, [ada, nameless, grete, .. refused]);
        Assert.Equal(HttpStatusCode.Created, (await marketing.PostJsonAsync("/api/v1/suppressions", new { email = refused[^1].Email.ToUpperInvariant(), reason = "complaint" })).Status);

        var campaignId = await SendCampaignAsync(marketing, [ada.Id, nameless.Id, grete.Id, .. refused.Select(p => p.Id)]);
        var stats = await FinishedAsync(marketing, campaignId);

        var recipients = await RecipientsAsync(campaignId);
        var toAda = Assert.Single(MailsTo(ada.Email)).Message;
        Assert.Equal("Hello Ada, our winter news", toAda.Subject);
        Assert.Equal("news@acme.example", toAda.From.Mailboxes.Single().Address);
        Assert.Equal(recipients[ada.Id].MessageId, toAda.MessageId);
        Assert.Contains("Dear Ada,", toAda.TextBody);
        Assert.Contains("<p>Dear Ada,</p>", toAda.HtmlBody);
        Assert.Matches("^<http://localhost/api/v1/public/campaigns/u/[A-Za-z0-9_-]+>$", toAda.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", toAda.Headers["List-Unsubscribe-Post"]);
        Assert.Contains(toAda.Headers["List-Unsubscribe"]!.Trim('<', '>'), toAda.TextBody);
        Assert.Equal("Hello there, our winter news", Assert.Single(MailsTo(nameless.Email)).Subject);
        Assert.Contains("Dear friend,", Assert.Single(MailsTo(nameless.Email)).Message.TextBody ?? "");
        var toGrete = Assert.Single(MailsTo(grete.Email)).Message;
        Assert.Equal("Hallo Grete, Neues vom Winter", toGrete.Subject);
        Assert.Contains("Liebe(r) Grete", toGrete.TextBody);

        foreach (var person in refused)
        {
            Assert.Empty(MailsTo(person.Email));
            Assert.Equal(("skipped", person.Key), (recipients[person.Id].Status, recipients[person.Id].SkipReason));
        }
        Assert.Equal((11, 3, 3, 8), (stats.GetProperty("recipients").GetInt32(), stats.GetProperty("sent").GetInt32(),
            stats.GetProperty("delivered").GetInt32(), stats.GetProperty("skipped").GetInt32()));
        Assert.Equal(1, stats.GetProperty("skippedByReason").GetProperty("objected").GetInt32());
        // Attribution: the three people reached are members of the campaign from the moment their message went; no one skipped is.
        var touchpoints = await PlatformServices.QueryAsync(Platform.Marketing, db => db.Touchpoints.IgnoreQueryFilters().AsNoTracking()
            .Where(t => t.CampaignId == campaignId).ToListAsync());
        Assert.Equal(new[] { ada.Id, nameless.Id, grete.Id }.Order(), touchpoints.Select(t => t.PersonId!.Value).Order());
        Assert.All(touchpoints, t => Assert.Equal(("campaign-membership", "email", recipients[t.PersonId!.Value].SentAt), (t.Kind, t.Channel, (DateTime?)t.OccurredAt)));
    }

    [Fact]
    public async Task The_one_click_unsubscribe_from_the_header_alone_suppresses_and_withdraws_the_consent_in_contacts()
    {
        var tenant = await NewTenantAsync();
        var marketing = tenant.Marketing(Platform);
        var contacts = Platform.ClientFor(Platform.Contacts, tenant.Token);
        var email = $"lise.{Guid.NewGuid():N}@example.com";
        var person = await contacts.PostJsonAsync("/api/v1/people", new { firstName = "Lise", lastName = "Meitner", email }).CreatedAsync();
        var personId = person.Id();
        Assert.Equal(HttpStatusCode.Created, (await contacts.PostJsonAsync($"/api/v1/people/{personId}/consents",
            new { purpose = "newsletter", channel = "email", status = "granted", source = "api" })).Status);
        await Eventually.TrueAsync(() => QueryTenantAsync(tenant.Id, async db =>
                await db.ConsentReplicas.AnyAsync(c => c.PersonId == personId && c.Status == "granted")
                && await db.RecipientProfiles.AnyAsync(p => p.Id == personId && p.FirstName == "Lise")),
            "Marketing has the person and their consent");

        var campaignId = await SendCampaignAsync(marketing, [personId]);
        await FinishedAsync(marketing, campaignId);
        var received = Assert.Single(MailsTo(email)).Message;
        Assert.Equal("Hello Lise, our winter news", received.Subject);
        var url = received.Headers["List-Unsubscribe"]!.Trim('<', '>');

        // What a mail provider does (RFC 8058): POST the header's URL with this body, no cookie, no credentials.
        using var anonymous = Platform.Marketing.CreateClient();
        async Task<HttpStatusCode> OneClickAsync() =>
            (await anonymous.PostAsync(url, new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" }))).StatusCode;
        Assert.Equal(HttpStatusCode.OK, await OneClickAsync());
        Assert.Equal(HttpStatusCode.OK, await OneClickAsync());
        var page = await anonymous.GetStringAsync(url);
        Assert.Contains("<form method=\"post\"", page);

        var suppression = Assert.Single((await marketing.GetJsonAsync($"/api/v1/suppressions?email={Uri.EscapeDataString(email)}")).Items());
        Assert.Equal("unsubscribe", suppression.Str("reason"));
        var withdrawal = await Eventually.ReturnsAsync(
            async () => (await contacts.GetJsonAsync($"/api/v1/people/{personId}/consents/history")).Items()
                .FirstOrDefault(r => r.Str("status") == "withdrawn"),
            r => r.ValueKind != System.Text.Json.JsonValueKind.Undefined, "Contacts recorded the withdrawal");
        Assert.Equal("unsubscribe-link", withdrawal.Str("source"));
        Assert.Contains($"campaign 'Winter 2026' ({campaignId})", withdrawal.Str("reason"));
        Assert.Single((await contacts.GetJsonAsync($"/api/v1/people/{personId}/consents/history")).Items(), r => r.Str("status") == "withdrawn");
        var stats = (await marketing.GetJsonAsync($"/api/v1/campaigns/{campaignId}/statistics")).Body;
        Assert.Equal(1, stats.GetProperty("unsubscribes").GetInt32());

        var again = await SendCampaignAsync(marketing, [personId]);
        await FinishedAsync(marketing, again);
        Assert.Single(MailsTo(email));
        Assert.Equal("suppressed", (await RecipientsAsync(again))[personId].SkipReason);
    }

    [Fact]
    public async Task Opens_and_clicks_count_once_per_person_and_a_changed_link_never_redirects()
    {
        var tenant = await NewTenantAsync();
        var marketing = tenant.Marketing(Platform);
        Seeded reader = new("reader");
        await SeedAsync(tenant.Id, [reader]);
        var campaignId = await SendCampaignAsync(marketing, [reader.Id]);
        await FinishedAsync(marketing, campaignId);
        var html = Assert.Single(MailsTo(reader.Email)).Message.HtmlBody ?? "";
        var pixel = PixelSource().Match(html).Groups[1].Value;
        var click = WebUtility.HtmlDecode(ClickTarget().Match(html).Groups[1].Value);

        using var anonymous = Platform.Marketing.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var image = await anonymous.GetAsync(pixel);
        Assert.Equal((HttpStatusCode.OK, "image/gif"), (image.StatusCode, image.Content.Headers.ContentType?.MediaType));
        await anonymous.GetAsync(pixel);
        var followed = await anonymous.GetAsync(click);
        Assert.Equal(HttpStatusCode.Redirect, followed.StatusCode);
        Assert.Equal("https://www.acme.example/winter?src=mail&x=1", followed.Headers.Location?.ToString());
        Assert.Equal(HttpStatusCode.Redirect, (await anonymous.GetAsync(click)).StatusCode);

        var elsewhere = Regex.Replace(click, "url=[^&]+", "url=" + Uri.EscapeDataString("https://evil.example/"));
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(elsewhere)).StatusCode);
        var forged = Regex.Replace(click, "/c/([A-Za-z0-9_-]+)", m => "/c/" + m.Groups[1].Value[..^2] + (m.Groups[1].Value[^2..] == "AA" ? "BB" : "AA"));
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(forged)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(click.Split('?')[0])).StatusCode);

        var stats = (await marketing.GetJsonAsync($"/api/v1/campaigns/{campaignId}/statistics")).Body;
        Assert.Equal((1, 1, 2, 2), (stats.GetProperty("uniqueOpens").GetInt32(), stats.GetProperty("uniqueClicks").GetInt32(),
            stats.GetProperty("opens").GetInt32(), stats.GetProperty("clicks").GetInt32()));

        Assert.Equal(HttpStatusCode.NoContent, (await marketing.PostJsonAsync($"/api/v1/campaigns/{campaignId}/bounces", new { email = reader.Email, diagnostic = "550 5.1.1 no such user" })).Status);
        stats = (await marketing.GetJsonAsync($"/api/v1/campaigns/{campaignId}/statistics")).Body;
        Assert.Equal((1, 0), (stats.GetProperty("bounced").GetInt32(), stats.GetProperty("delivered").GetInt32()));
        Assert.Equal("hard-bounce", Assert.Single((await marketing.GetJsonAsync($"/api/v1/suppressions?email={reader.Email}")).Items()).Str("reason"));
    }

    [Fact]
    public async Task A_click_with_images_blocked_counts_as_an_open_in_both_counts_and_a_later_open_adds_no_second_person()
    {
        var tenant = await NewTenantAsync();
        var marketing = tenant.Marketing(Platform);
        Seeded reader = new("blocked");
        await SeedAsync(tenant.Id, [reader]);
        var campaignId = await SendCampaignAsync(marketing, [reader.Id]);
        await FinishedAsync(marketing, campaignId);
        var html = Assert.Single(MailsTo(reader.Email)).Message.HtmlBody ?? "";
        using var anonymous = Platform.Marketing.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        async Task<(int UniqueOpens, int Opens, int UniqueClicks, int Clicks)> CountsAsync()
        {
            var stats = (await marketing.GetJsonAsync($"/api/v1/campaigns/{campaignId}/statistics")).Body;
            return (stats.GetProperty("uniqueOpens").GetInt32(), stats.GetProperty("opens").GetInt32(),
                stats.GetProperty("uniqueClicks").GetInt32(), stats.GetProperty("clicks").GetInt32());
        }

        // Images blocked: no pixel, but the link is followed. The click implies the open, in both counts.
        Assert.Equal(HttpStatusCode.Redirect, (await anonymous.GetAsync(WebUtility.HtmlDecode(ClickTarget().Match(html).Groups[1].Value))).StatusCode);
        Assert.Equal((1, 1, 1, 1), await CountsAsync());

        // Images shown later: a second open of the same person, not a second person.
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(PixelSource().Match(html).Groups[1].Value)).StatusCode);
        Assert.Equal((1, 2, 1, 1), await CountsAsync());

        // The API document says what opens counts, for whoever reads the numbers.
        var schema = (await marketing.GetJsonAsync("/openapi/v1.json")).Body.GetProperty("components").GetProperty("schemas").GetProperty("CampaignStatistics");
        Assert.Contains("opens ≥ uniqueOpens", schema.GetProperty("properties").GetProperty("opens").GetProperty("description").GetString() ?? "");
    }

    [Fact]
    public async Task A_restart_in_the_middle_of_sending_sends_everyone_exactly_one_message()
    {
        var tenant = await NewTenantAsync();
        var people = Enumerable.Range(0, 300).Select(i => new Seeded($"crash{i}")).ToList();
        await SeedAsync(tenant.Id, people);
        var campaignId = await SendCampaignAsync(tenant.Marketing(Platform), people.Select(p => p.Id), messagesPerSecond: 60);

        await Eventually.TrueAsync(async () => (await RecipientsAsync(campaignId)).Values.Count(r => r.Status == "sent") >= 60,
            "a fifth of the campaign is sent", TimeSpan.FromSeconds(30));
        // Stopped while each of its workers may have a message in hand on its own connection: each is finished and marked.
        var beforeRestart = Mail.Messages.Where(m => m.Message.Headers["X-Campaign-Id"] == campaignId.ToString()).ToList();
        Assert.True(beforeRestart.Select(m => m.Client).Distinct().Count() > 1, "the campaign is sent on more than one connection");
        await Platform.RestartMarketingAsync();
        var atRestart = (await RecipientsAsync(campaignId)).Values.Count(r => r.Status == "sent");
        Assert.InRange(atRestart, 60, 299);

        await FinishedAsync(tenant.Marketing(Platform), campaignId, TimeSpan.FromSeconds(60));
        var ours = Mail.Messages.Where(m => m.Message.Headers["X-Campaign-Id"] == campaignId.ToString()).ToList();
        Assert.Equal(300, ours.Count);
        Assert.All(people, p => Assert.Single(ours, m => m.To.Contains(p.Email)));
    }

    [Fact]
    public async Task A_campaign_sent_on_several_connections_keeps_its_rate()
    {
        var tenant = await NewTenantAsync();
        var people = Enumerable.Range(0, 100).Select(i => new Seeded($"paced{i}")).ToList();
        await SeedAsync(tenant.Id, people);
        var campaignId = await SendCampaignAsync(tenant.Marketing(Platform), people.Select(p => p.Id), messagesPerSecond: 50);

        await FinishedAsync(tenant.Marketing(Platform), campaignId);
        var ours = Mail.Messages.Where(m => m.Message.Headers["X-Campaign-Id"] == campaignId.ToString()).OrderBy(m => m.ReceivedAt).ToList();
        Assert.Equal(100, ours.Count);
        Assert.True(ours.Select(m => m.Client).Distinct().Count() > 1, "the campaign is sent on more than one connection");
        // 100 messages at 50 a second: the 99 gaps between them take 1.98 s, whichever connection each went on (four
        // workers each pacing itself would take a quarter of that).
        var span = ours[^1].ReceivedAt - ours[0].ReceivedAt;
        Assert.True(span >= TimeSpan.FromSeconds(1.8), $"100 messages at 50/s arrived within {span.TotalSeconds:F2} s");
    }

    [Fact]
    public async Task An_ab_test_sends_each_subject_to_its_share_and_the_rest_get_the_subject_opened_more()
    {
        var tenant = await NewTenantAsync();
        var marketing = tenant.Marketing(Platform);
        var people = Enumerable.Range(0, 20).Select(i => new Seeded($"ab{i}")).ToList();
        await SeedAsync(tenant.Id, people);
        var campaignId = await SendCampaignAsync(marketing, people.Select(p => p.Id), abTest: new
        {
            subjects = new[] { "Subject A for {{ person.first_name }}", "Subject B for {{ person.first_name }}" }, testPercent = 50, waitSeconds = 8, metric = "opens",
        });
        List<ReceivedMail> Ours() => Mail.Messages.Where(m => m.Message.Headers["X-Campaign-Id"] == campaignId.ToString()).ToList();

        var test = await Eventually.ReturnsAsync(() => Task.FromResult(Ours()), mails => mails.Count == 10, "the test share is sent");
        Assert.Equal(5, test.Count(m => m.Subject == "Subject A for Test"));
        Assert.Equal(5, test.Count(m => m.Subject == "Subject B for Test"));
        using var anonymous = Platform.Marketing.CreateClient();
        foreach (var mail in test.Where(m => m.Subject!.StartsWith("Subject B", StringComparison.Ordinal)).Take(2))
        {
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(PixelSource().Match(mail.Message.HtmlBody ?? "").Groups[1].Value)).StatusCode);
        }
        Assert.Equal(10, Ours().Count);

        var stats = await FinishedAsync(marketing, campaignId);
        var rest = Ours().Except(test).ToList();
        Assert.Equal(10, rest.Count);
        Assert.All(rest, m => Assert.Equal("Subject B for Test", m.Subject));
        Assert.Equal(20, Ours().Select(m => m.To.Single()).Distinct().Count());
        var variants = stats.GetProperty("variants").EnumerateArray().ToList();
        Assert.Equal((5, 0, false), (variants[0].GetProperty("sent").GetInt32(), variants[0].GetProperty("uniqueOpens").GetInt32(), variants[0].GetProperty("winner").GetBoolean()));
        Assert.Equal((5, 2, true), (variants[1].GetProperty("sent").GetInt32(), variants[1].GetProperty("uniqueOpens").GetInt32(), variants[1].GetProperty("winner").GetBoolean()));
        Assert.Equal(1, (await marketing.GetJsonAsync($"/api/v1/campaigns/{campaignId}")).Body.GetProperty("abTest").GetProperty("winner").GetInt32());
    }

    [Fact]
    public async Task Templates_that_do_not_parse_are_refused_naming_the_part_and_the_preview_renders_for_a_person()
    {
        var tenant = await NewTenantAsync();
        var marketing = tenant.Marketing(Platform);
        var broken = await marketing.PostJsonAsync("/api/v1/email-templates", new
        {
            name = "Broken", subject = "Hi {{ person.first_name", html = "<p>ok</p>", text = "{% if %}",
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, broken.Status);
        var errors = broken.Body.GetProperty("errors");
        Assert.True(errors.TryGetProperty("subject", out _));
        Assert.True(errors.TryGetProperty("text", out _));
        Assert.False(errors.TryGetProperty("html", out _));
        Assert.Equal(HttpStatusCode.BadRequest, (await marketing.PostJsonAsync("/api/v1/email-templates", new { name = "No parts" })).Status);

        Seeded grete = new("grete", FirstName: "Grete", Language: "de");
        await SeedAsync(tenant.Id, [grete]);
        var template = await marketing.PostJsonAsync("/api/v1/email-templates", Template()).CreatedAsync();
        var preview = (await marketing.PostJsonAsync($"/api/v1/email-templates/{template.Id()}/preview", new { personId = grete.Id })).Body;
        Assert.Equal(("de", "Hallo Grete, Neues vom Winter"), (preview.Str("language"), preview.Str("subject")));
        var fallback = (await marketing.PostJsonAsync($"/api/v1/email-templates/{template.Id()}/preview", new { })).Body;
        Assert.Equal("Hello there, our winter news", fallback.Str("subject"));
    }

    [Fact]
    public async Task Templates_campaigns_and_suppressions_are_the_tenants_and_the_marketing_roles()
    {
        var tenant = await NewTenantAsync();
        var marketing = tenant.Marketing(Platform);
        var template = await marketing.PostJsonAsync("/api/v1/email-templates", Template()).CreatedAsync();
        var segment = await marketing.PostJsonAsync("/api/v1/segments", new { name = "List", kind = "static" }).CreatedAsync();
        var campaign = await marketing.PostJsonAsync("/api/v1/campaigns", new
        {
            name = "Ours", templateId = template.Id(), segmentId = segment.Id(), purpose = "newsletter", from = "news@acme.example",
        }).CreatedAsync();
        var suppression = await marketing.PostJsonAsync("/api/v1/suppressions", new { email = "gone@example.com" }).CreatedAsync();

        var other = (await NewTenantAsync()).Marketing(Platform);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetJsonAsync($"/api/v1/email-templates/{template.Id()}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetJsonAsync($"/api/v1/campaigns/{campaign.Id()}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetJsonAsync($"/api/v1/campaigns/{campaign.Id()}/statistics")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await other.SendJsonAsync(HttpMethod.Post, $"/api/v1/campaigns/{campaign.Id()}/send", new { })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteJsonAsync($"/api/v1/suppressions/{suppression.Id()}", null)).Status);
        Assert.Empty((await other.GetJsonAsync("/api/v1/campaigns")).Items());
        Assert.Empty((await other.GetJsonAsync("/api/v1/suppressions")).Items());
        // Another tenant's template or segment cannot be named in a campaign.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await other.PostJsonAsync("/api/v1/campaigns", new
        {
            name = "Theirs", templateId = template.Id(), segmentId = segment.Id(), purpose = "newsletter", from = "news@acme.example",
        })).Status);

        foreach (var role in new[] { Roles.SalesRep, Roles.SalesManager, Roles.ServiceAgent, Roles.ReadOnly })
        {
            var client = Platform.ClientFor(Platform.Marketing, await Platform.Identity.NewClientTokenAsync(tenant.Id, role));
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetJsonAsync("/api/v1/email-templates")).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostJsonAsync("/api/v1/email-templates", Template())).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetJsonAsync("/api/v1/campaigns")).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.SendJsonAsync(HttpMethod.Post, $"/api/v1/campaigns/{campaign.Id()}/send", new { })).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetJsonAsync("/api/v1/suppressions")).Status);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostJsonAsync("/api/v1/suppressions", new { email = "x@example.com" })).Status);
        }
        var marketer = Platform.ClientFor(Platform.Marketing, await Platform.Identity.NewClientTokenAsync(tenant.Id, Roles.Marketing));
        Assert.Single((await marketer.GetJsonAsync("/api/v1/campaigns")).Items());
    }

    private Task<T> QueryTenantAsync<T>(Guid tenantId, Func<MarketingDbContext, Task<T>> query) => QueryAsync(Platform, tenantId, query);

    private static async Task<T> QueryAsync<T>(PlatformServices platform, Guid tenantId, Func<MarketingDbContext, Task<T>> query)
    {
        await using var scope = platform.Marketing.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().TenantId = tenantId;
        return await query(scope.ServiceProvider.GetRequiredService<MarketingDbContext>());
    }

    [GeneratedRegex("<img src=\"(http://localhost/api/v1/public/campaigns/o/[^\"]+)\"")]
    private static partial Regex PixelSource();

    [GeneratedRegex("href=\"(http://localhost/api/v1/public/campaigns/c/[^\"]+)\"")]
    private static partial Regex ClickTarget();
}
