using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using CrmPlatform.Contracts.Marketing.V1;
using CrmPlatform.Contracts.Sales.V1;
using CrmPlatform.Contracts.Service.V1;
using CrmPlatform.Mail;
using CrmPlatform.Marketing.Data;
using CrmPlatform.Marketing.Journeys;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmPlatform.Tests.Marketing;

/// <summary>
/// Journeys that email, on real PostgreSQL, RabbitMQ and SMTP (the Mail sink): the send-email step goes through the
/// campaign sender and its consent gate (personalised, with the RFC 8058 headers; nothing to a person without consent,
/// and the path says why), once per stay however often the trigger is delivered or the step retried; its journey
/// campaign has statistics like any campaign. Also the form-submission and TicketSolved triggers, pause and resume,
/// and an exit rule; a click in a journey email credited to that email when Sales wins the deal. Each test works in a
/// tenant of its own.
/// </summary>
public sealed partial class JourneyEmailTests(JourneyEmailTests.Fixture fixture) : JourneyTestBase(fixture.Platform), IClassFixture<JourneyEmailTests.Fixture>
{
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
                ["Marketing:Campaigns:TokenKey"] = Convert.ToBase64String("tests-journey-token-key-32-bytes!!!"u8.ToArray()),
                ["Marketing:Campaigns:PublicBaseUrl"] = "http://localhost",
                ["Marketing:Campaigns:PollInterval"] = "00:00:00.200",
            });
        }

        public async Task DisposeAsync()
        {
            await Platform.DisposeAsync();
            await Mail.DisposeAsync();
        }
    }

    private List<ReceivedMail> MailsTo(string email) =>
        fixture.Mail.Store.Messages.Where(m => m.To.Contains(email, StringComparer.OrdinalIgnoreCase)).ToList();

    /// <summary>A person made in Contacts (with the newsletter consent on email when <paramref name="consent"/>), once Marketing has them.</summary>
    private async Task<(Guid Id, string Email)> PersonAsync(Tenant tenant, string firstName, bool consent, string lifecycleStage = "lead")
    {
        var email = $"{firstName.ToLowerInvariant()}.{Guid.NewGuid():N}@example.com";
        var id = (await tenant.Contacts.PostJsonAsync("/api/v1/people", new { firstName, lastName = "Tester", email, lifecycleStage }).CreatedAsync()).Id();
        if (consent)
        {
            Assert.Equal(HttpStatusCode.Created, (await tenant.Contacts.PostJsonAsync($"/api/v1/people/{id}/consents",
                new { purpose = "newsletter", channel = "email", status = "granted", source = "api" })).Status);
        }
        await Eventually.TrueAsync(() => QueryAsync(Platform.Marketing, tenant.Id, async db =>
                await db.DirectoryContacts.AnyAsync(c => c.Id == id)
                && await db.RecipientProfiles.AnyAsync(p => p.Id == id && p.FirstName == firstName)
                && (!consent || await db.ConsentReplicas.AnyAsync(c => c.PersonId == id && c.Status == "granted"))),
            "Marketing has the person (and their consent)");
        return (id, email);
    }

    private static async Task<Guid> TemplateAsync(Tenant tenant) => (await tenant.Marketing.PostJsonAsync("/api/v1/email-templates", new
    {
        name = "Welcome",
        language = "en",
        subject = "Welcome aboard, {{ person.first_name | default: \"friend\" }}",
        html = "<html><body><p>Hi {{ person.first_name }},</p><p><a href=\"https://www.acme.example/start\">Get started</a></p>"
            + "<p><a href=\"{{ unsubscribe.url }}\">Unsubscribe</a></p></body></html>",
        text = "Hi {{ person.first_name }},\nGet started: https://www.acme.example/start\nUnsubscribe: {{ unsubscribe.url }}",
    }).CreatedAsync()).Id();

    private static object MailStep(Guid templateId, string id = "mail", string? next = null) =>
        new { id, kind = "send-email", templateId, purpose = "newsletter", from = "Acme <hello@acme.example>", next };

    private static async Task<Guid> StaticSegmentAsync(Tenant tenant) =>
        (await tenant.Marketing.PostJsonAsync("/api/v1/segments", new { name = "Journey list", kind = "static" }).CreatedAsync()).Id();

    private static async Task AddMembersAsync(Tenant tenant, Guid segment, params Guid[] people) =>
        Assert.Equal(HttpStatusCode.OK, (await tenant.Marketing.PostJsonAsync($"/api/v1/segments/{segment}/members", new { personIds = people })).Status);

    private static JsonElement Step(JsonElement path, string stepId) =>
        path.GetProperty("steps").EnumerateArray().Single(s => s.Str("stepId") == stepId);

    [GeneratedRegex("src=\"(http://localhost/api/v1/public/campaigns/o/[^\"]+)\"")]
    private static partial Regex OpenPixel();

    [Fact]
    public async Task A_send_email_step_mails_the_consenting_person_personalised_through_the_campaign_sender_and_skips_the_one_without_consent()
    {
        var tenant = await NewTenantAsync();
        var template = await TemplateAsync(tenant);
        var list = await StaticSegmentAsync(tenant);
        var journey = await ActiveJourneyAsync(tenant, "Welcome", new
        {
            trigger = new { kind = "segment-entry", segmentId = list },
            start = "mail",
            steps = new[] { MailStep(template) },
        });
        var ada = await PersonAsync(tenant, "Ada", consent: true);
        var bob = await PersonAsync(tenant, "Bob", consent: false);
        await AddMembersAsync(tenant, list, ada.Id, bob.Id);

        var adaPath = await Eventually.ReturnsAsync(async () => await FinishedPathAsync(tenant, journey, ada.Id),
            p => Step(p, "mail").Str("outcome") == "sent", "the path says the email was sent");
        var received = Assert.Single(MailsTo(ada.Email)).Message;
        Assert.Equal("Welcome aboard, Ada", received.Subject);
        Assert.Equal("hello@acme.example", received.From.Mailboxes.Single().Address);
        Assert.Contains("Hi Ada,", received.TextBody);
        Assert.Matches("^<http://localhost/api/v1/public/campaigns/u/[A-Za-z0-9_-]+>$", received.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", received.Headers["List-Unsubscribe-Post"]);
        Assert.Contains(received.Headers["List-Unsubscribe"]!.Trim('<', '>'), received.TextBody);
        var email = Step(adaPath, "mail").GetProperty("email");
        var campaignId = email.GetProperty("campaignId").GetGuid();
        Assert.Equal(JsonValueKind.String, email.GetProperty("sentAt").ValueKind);

        // Bob has no consent record: nothing is sent, and his path says so with the gate's reason.
        var bobPath = await FinishedPathAsync(tenant, journey, bob.Id);
        Assert.Equal(("skipped", "no-record"), (Step(bobPath, "mail").Str("outcome"), Step(bobPath, "mail").Str("detail")));
        Assert.Equal(campaignId, Step(bobPath, "mail").GetProperty("email").GetProperty("campaignId").GetGuid());
        await Task.Delay(500);
        Assert.Empty(MailsTo(bob.Email));
        // The step announced what it did when it ran.
        var executed = await OutboxAsync<JourneyStepExecuted>(Platform.Marketing, tenant.Id);
        Assert.Equal(["queued", "skipped"], executed.Where(e => e.StepId == "mail").Select(e => e.Outcome).Order());

        // The journey's campaign is a campaign like any: it names its journey and keeps sending; an open counts.
        var campaign = (await tenant.Marketing.GetJsonAsync($"/api/v1/campaigns/{campaignId}")).Body;
        Assert.Equal((journey, "sending", "newsletter"), (campaign.GetProperty("journeyId").GetGuid(), campaign.Str("status"), campaign.Str("purpose")));
        var pixel = OpenPixel().Match(received.HtmlBody ?? "").Groups[1].Value;
        using var anonymous = Platform.Marketing.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(pixel)).StatusCode);
        var stats = (await tenant.Marketing.GetJsonAsync($"/api/v1/campaigns/{campaignId}/statistics")).Body;
        Assert.Equal((2, 1, 1, 1, 1), (stats.GetProperty("recipients").GetInt32(), stats.GetProperty("sent").GetInt32(), stats.GetProperty("skipped").GetInt32(),
            stats.GetProperty("skippedByReason").GetProperty("no-record").GetInt32(), stats.GetProperty("uniqueOpens").GetInt32()));

        // Another tenant sees neither the campaign nor its statistics.
        var other = await NewTenantAsync();
        (await other.Marketing.GetJsonAsync($"/api/v1/campaigns/{campaignId}/statistics")).AssertProblem(HttpStatusCode.NotFound);
        (await other.Marketing.GetJsonAsync($"/api/v1/campaigns/{campaignId}")).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_redelivered_TicketSolved_and_a_retried_step_send_one_mail_only()
    {
        var tenant = await NewTenantAsync();
        var template = await TemplateAsync(tenant);
        var journey = await ActiveJourneyAsync(tenant, "After support", new
        {
            trigger = new { kind = "event", @event = "TicketSolved" },
            start = "mail",
            steps = new object[]
            {
                MailStep(template, next: "after"),
                new { id = "after", kind = "notify-user", userId = "support-lead", message = "Solved and mailed", next = (string?)null },
            },
        });
        var person = await PersonAsync(tenant, "Grace", consent: true);

        // The first run of the step after the email fails at commit (the step's transaction rolls back, the runner
        // retries it): a sequence counts the attempts, since it is not rolled back.
        var suffix = Guid.NewGuid().ToString("N")[..12];
        // Names and ids made here, not input: raw SQL is safe (DDL takes no parameters).
        var install = $"""
            CREATE SEQUENCE journey_fail_{suffix};
            CREATE FUNCTION journey_fail_{suffix}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.tenant_id = '{tenant.Id}' AND NEW.step_id = 'after' AND nextval('journey_fail_{suffix}') = 1 THEN
                    RAISE EXCEPTION 'the first attempt fails';
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER journey_fail_{suffix} BEFORE INSERT ON journey_step_executions FOR EACH ROW EXECUTE FUNCTION journey_fail_{suffix}();
            """;
        var attempts = $"SELECT last_value AS \"Value\" FROM journey_fail_{suffix}";
        var uninstall = $"DROP TRIGGER journey_fail_{suffix} ON journey_step_executions; DROP FUNCTION journey_fail_{suffix}(); DROP SEQUENCE journey_fail_{suffix};";
        await QueryAsync(Platform.Marketing, tenant.Id, db => db.Database.ExecuteSqlRawAsync(install));
        try
        {
            var bus = Platform.Service.Services.GetRequiredService<IBus>();
            var ticket = new TicketSnapshot(42, "Printer on fire", "solved", "high", "email", person.Id, null, null, null, null, "en", [], null, null);
            var solved = new TicketSolved(Guid.NewGuid(), DateTime.UtcNow, tenant.Id, Guid.NewGuid(), 3, DateTime.UtcNow, ticket);
            await bus.Publish(solved, context => context.MessageId = solved.EventId);
            await bus.Publish(solved, context => context.MessageId = solved.EventId);

            var path = await Eventually.ReturnsAsync(async () => await FinishedPathAsync(tenant, journey, person.Id),
                p => Step(p, "mail").Str("outcome") == "sent", "the email is sent", TimeSpan.FromSeconds(30));
            Assert.Equal(["mail", "after"], path.GetProperty("steps").EnumerateArray().Select(s => s.Str("stepId")));
            Assert.Equal(2L, await QueryAsync(Platform.Marketing, tenant.Id,
                db => db.Database.SqlQueryRaw<long>(attempts).SingleAsync()));
            await Task.Delay(1500);
            Assert.Single(await EnrolmentsAsync(tenant, journey, person.Id));
            Assert.Single(MailsTo(person.Email));
            var campaignId = Step(path, "mail").GetProperty("email").GetProperty("campaignId").GetGuid();
            Assert.Equal(1, await QueryAsync(Platform.Marketing, tenant.Id, db => db.CampaignRecipients.CountAsync(r => r.CampaignId == campaignId)));
        }
        finally
        {
            await QueryAsync(Platform.Marketing, tenant.Id, db => db.Database.ExecuteSqlRawAsync(uninstall));
        }
    }

    [Fact]
    public async Task A_person_reentering_is_mailed_again_once_per_stay()
    {
        var tenant = await NewTenantAsync();
        var template = await TemplateAsync(tenant);
        var journey = await ActiveJourneyAsync(tenant, "Every solved ticket", new
        {
            trigger = new { kind = "event", @event = "TicketSolved" },
            start = "mail",
            steps = new[] { MailStep(template) },
            reentry = new { mode = "always" },
        });
        var person = await PersonAsync(tenant, "Alan", consent: true);
        var bus = Platform.Service.Services.GetRequiredService<IBus>();
        var ticket = new TicketSnapshot(7, "Help", "solved", "normal", "web", person.Id, null, null, null, null, null, [], null, null);
        foreach (var stays in new[] { 1, 2 })
        {
            var solved = new TicketSolved(Guid.NewGuid(), DateTime.UtcNow, tenant.Id, Guid.NewGuid(), 2, DateTime.UtcNow, ticket);
            await bus.Publish(solved, context => context.MessageId = solved.EventId);
            await Eventually.TrueAsync(async () => (await EnrolmentsAsync(tenant, journey, person.Id)) is var e && e.Count == stays && e.All(x => x.Str("status") == "completed"),
                "the stay ends");
        }
        await Eventually.TrueAsync(() => Task.FromResult(MailsTo(person.Email).Count == 2), "a mail per stay");
        Assert.Equal(2, (await EnrolmentsAsync(tenant, journey, person.Id)).Count);
    }

    [Fact]
    public async Task A_form_submission_enrols_the_person_with_the_submitted_address()
    {
        var tenant = await NewTenantAsync();
        var form = (await tenant.Marketing.PostJsonAsync("/api/v1/forms", new
        {
            name = "Contact us",
            fields = new object[]
            {
                new { key = "last_name", label = "Last name", mapsTo = "lastName", required = true },
                new { key = "email", label = "Email", mapsTo = "email", required = true },
            },
            allowedOrigins = new[] { "https://www.acme.example" },
        }).CreatedAsync()).Id();
        var journey = await ActiveJourneyAsync(tenant, "Form follow-up", new
        {
            trigger = new { kind = "form-submission", formId = form },
            start = "notify",
            steps = new[] { new { id = "notify", kind = "notify-user", userId = "sdr", message = "Call them back", next = (string?)null } },
        });
        var person = await PersonAsync(tenant, "Hedy", consent: false);
        var bystander = await PersonAsync(tenant, "Ida", consent: false);

        var token = Platform.Marketing.Services.GetRequiredService<FormTokens>().Issue(form, DateTimeOffset.UtcNow.AddSeconds(-10));
        using var visitor = Platform.Marketing.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/public/forms/{form}/submissions")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["last_name"] = "Tester", ["email"] = person.Email.ToUpperInvariant(), ["formToken"] = token }),
        };
        request.Headers.Add("Origin", "https://www.acme.example");
        request.Headers.Add("User-Agent", "Mozilla/5.0 (tests)");
        Assert.Equal(HttpStatusCode.Accepted, (await visitor.SendAsync(request)).StatusCode);

        var path = await FinishedPathAsync(tenant, journey, person.Id);
        Assert.Equal(["notify:requested"], Steps(path).Select(s => $"{s.Step}:{s.Outcome}"));
        var submitted = Assert.Single(await OutboxAsync<FormSubmitted>(Platform.Marketing, tenant.Id));
        Assert.Equal(submitted.EventId, await QueryAsync(Platform.Marketing, tenant.Id,
            db => db.JourneyEnrolments.Where(e => e.JourneyId == journey).Select(e => e.TriggerEventId).SingleAsync()));
        Assert.Empty(await EnrolmentsAsync(tenant, journey, bystander.Id));
    }

    [Fact]
    public async Task A_paused_journey_runs_no_due_timer_until_it_is_resumed()
    {
        var tenant = await NewTenantAsync();
        var list = await StaticSegmentAsync(tenant);
        var journey = await ActiveJourneyAsync(tenant, "Pausable", new
        {
            trigger = new { kind = "segment-entry", segmentId = list },
            start = "wait",
            steps = new object[]
            {
                new { id = "wait", kind = "wait", duration = "PT5S", next = "notify" },
                new { id = "notify", kind = "notify-user", userId = "owner", message = "Five seconds later", next = (string?)null },
            },
        });
        var person = await PersonAsync(tenant, "Emmy", consent: false);
        await AddMembersAsync(tenant, list, person.Id);
        var waiting = (await Eventually.ReturnsAsync(() => EnrolmentsAsync(tenant, journey, person.Id),
            e => e.Count == 1 && e[0].Str("currentStep") == "notify", "the person waits"))[0];

        var current = (await tenant.Marketing.GetJsonAsync($"/api/v1/journeys/{journey}")).Body;
        var paused = await tenant.Marketing.SendJsonAsync(HttpMethod.Post, $"/api/v1/journeys/{journey}/status", new { status = "paused" }, current.ETag());
        Assert.Equal(HttpStatusCode.OK, paused.Status);
        var due = waiting.GetProperty("dueAt").GetDateTime();
        Assert.True(DateTime.UtcNow < due, "paused before the timer was due");
        await Task.Delay(due - DateTime.UtcNow + TimeSpan.FromSeconds(2));

        // Past due, still waiting at the same step, nothing run.
        var still = Assert.Single(await EnrolmentsAsync(tenant, journey, person.Id));
        Assert.Equal(("active", "notify"), (still.Str("status"), still.Str("currentStep")));
        Assert.Equal(1, await QueryAsync(Platform.Marketing, tenant.Id, db => db.JourneyStepExecutions.CountAsync(x => x.EnrolmentId == waiting.Id())));

        var resumedAt = DateTime.UtcNow;
        var resumed = await tenant.Marketing.SendJsonAsync(HttpMethod.Post, $"/api/v1/journeys/{journey}/status", new { status = "active" }, paused.Body.ETag());
        Assert.Equal(HttpStatusCode.OK, resumed.Status);
        var path = await FinishedPathAsync(tenant, journey, person.Id);
        var steps = Steps(path);
        Assert.Equal(["wait:waiting", "notify:requested"], steps.Select(s => $"{s.Step}:{s.Outcome}"));
        Assert.True(steps[1].At >= resumedAt.AddMilliseconds(-5), "the step ran after the resume");
    }

    [Fact]
    public async Task An_exit_rule_ends_the_stay_before_the_next_step()
    {
        var tenant = await NewTenantAsync();
        var template = await TemplateAsync(tenant);
        var list = await StaticSegmentAsync(tenant);
        var journey = await ActiveJourneyAsync(tenant, "Nurture leads", new
        {
            trigger = new { kind = "segment-entry", segmentId = list },
            start = "wait",
            steps = new object[]
            {
                new { id = "wait", kind = "wait", duration = "PT8S", next = "mail" },
                MailStep(template),
            },
            exit = new { rule = Leaf("lifecycleStage", "eq", "customer") },
        });
        var person = await PersonAsync(tenant, "Rosalind", consent: true);
        await AddMembersAsync(tenant, list, person.Id);
        await Eventually.TrueAsync(async () => (await EnrolmentsAsync(tenant, journey, person.Id)).Count == 1, "the person enters");

        // They become a customer while waiting.
        var current = (await tenant.Contacts.GetJsonAsync($"/api/v1/people/{person.Id}")).Body;
        var changed = await tenant.Contacts.PutJsonAsync($"/api/v1/people/{person.Id}",
            new { firstName = "Rosalind", lastName = "Tester", email = person.Email, lifecycleStage = "customer" }, current.ETag());
        Assert.Equal(HttpStatusCode.OK, changed.Status);
        await Eventually.TrueAsync(() => QueryAsync(Platform.Marketing, tenant.Id,
            db => db.DirectoryContacts.AnyAsync(c => c.Id == person.Id && c.LifecycleStage == "customer")), "Marketing has the change");

        var path = await FinishedPathAsync(tenant, journey, person.Id, TimeSpan.FromSeconds(30));
        Assert.Equal(("exited", "exit-rule"), (path.GetProperty("enrolment").Str("status"), path.GetProperty("enrolment").Str("exitReason")));
        Assert.Equal(["wait:waiting"], Steps(path).Select(s => $"{s.Step}:{s.Outcome}"));
        await Task.Delay(500);
        Assert.Empty(MailsTo(person.Email));
    }

    [Fact]
    public async Task A_send_email_step_needs_a_template_of_the_tenant_a_purpose_and_a_sender()
    {
        var tenant = await NewTenantAsync();
        var other = await NewTenantAsync();
        var othersTemplate = await TemplateAsync(other);
        var mine = await TemplateAsync(tenant);
        object Definition(params object[] steps) => new { trigger = new { kind = "event", @event = "TicketSolved" }, start = "a", steps };

        var unknown = await tenant.Marketing.PostJsonAsync("/api/v1/journeys", new
        {
            name = "Borrowed template",
            definition = Definition(MailStep(mine, "a", "b"), MailStep(othersTemplate, "b")),
        });
        unknown.AssertProblem(HttpStatusCode.UnprocessableEntity);
        var errors = unknown.Body.GetProperty("errors");
        Assert.True(errors.TryGetProperty("definition.steps[1].templateId", out _), $"the other tenant's template is named in {errors}");
        Assert.False(errors.TryGetProperty("definition.steps[0].templateId", out _));

        var bad = await tenant.Marketing.PostJsonAsync("/api/v1/journeys", new
        {
            name = "Bad email",
            definition = Definition(new { id = "a", kind = "send-email", templateId = "nope", purpose = "spam", from = "not an address" }),
        });
        bad.AssertProblem(HttpStatusCode.BadRequest);
        foreach (var path in new[] { "definition.steps[0].templateId", "definition.steps[0].purpose", "definition.steps[0].from" })
        {
            Assert.True(bad.Body.GetProperty("errors").TryGetProperty(path, out _), $"{path} is named in {bad.Body}");
        }
        Assert.Equal(0, await QueryAsync(Platform.Marketing, tenant.Id, db => db.Journeys.CountAsync()));
    }

    [GeneratedRegex("href=\"(http://localhost/api/v1/public/campaigns/c/[^\"]+)\"")]
    private static partial Regex ClickLink();

    [Fact]
    public async Task A_click_in_a_journey_email_is_its_touchpoint_and_the_won_deal_is_credited_to_the_journeys_email()
    {
        var tenant = await NewTenantAsync();
        var template = await TemplateAsync(tenant);
        var list = await StaticSegmentAsync(tenant);
        var journey = await ActiveJourneyAsync(tenant, "Onboarding", new
        {
            trigger = new { kind = "segment-entry", segmentId = list },
            start = "mail",
            steps = new[] { MailStep(template) },
        });
        var ada = await PersonAsync(tenant, "Ada", consent: true);
        await AddMembersAsync(tenant, list, ada.Id);
        var path = await Eventually.ReturnsAsync(async () => await FinishedPathAsync(tenant, journey, ada.Id),
            p => Step(p, "mail").Str("outcome") == "sent", "the journey's email is sent");
        var email = Step(path, "mail").GetProperty("email").GetProperty("campaignId").GetGuid();
        // The sent mark and the membership touchpoint commit together: once the recipient reads as sent, the touchpoint
        // is there (no waiting), at the time the mark says the message went.
        var (sentAt, membership) = await QueryAsync(Platform.Marketing, tenant.Id, async db => (
            await db.CampaignRecipients.AsNoTracking().Where(r => r.CampaignId == email && r.PersonId == ada.Id).Select(r => r.SentAt).SingleAsync(),
            await db.Touchpoints.AsNoTracking().SingleAsync(t => t.PersonId == ada.Id && t.Kind == "campaign-membership")));
        Assert.Equal((email, sentAt), (membership.CampaignId!.Value, (DateTime?)membership.OccurredAt));

        // Ada follows the link in the email, as her mail client would.
        var received = Assert.Single(MailsTo(ada.Email)).Message;
        var click = WebUtility.HtmlDecode(ClickLink().Match(received.HtmlBody ?? "").Groups[1].Value);
        using var anonymous = Platform.Marketing.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var followed = await anonymous.GetAsync(click);
        Assert.Equal(HttpStatusCode.Redirect, followed.StatusCode);
        Assert.Equal("https://www.acme.example/start", followed.Headers.Location?.ToString());
        // Her touchpoints are the email's (sending it, then her click), on the email channel, like a campaign's.
        var touchpoints = await Eventually.ReturnsAsync(
            () => QueryAsync(Platform.Marketing, tenant.Id, db => db.Touchpoints.AsNoTracking().Where(t => t.PersonId == ada.Id).OrderBy(t => t.OccurredAt).ToListAsync()),
            t => t.Any(x => x.Kind == "click"), "the click is a touchpoint");
        Assert.Equal(["campaign-membership", "click"], touchpoints.Select(t => t.Kind));
        Assert.All(touchpoints, t => Assert.Equal((email, "email"), (t.CampaignId!.Value, t.Channel)));

        // Sales wins a deal with her, as its events carry it.
        var now = DateTime.UtcNow;
        var won = new OpportunityWon(Guid.NewGuid(), now, tenant.Id, Guid.NewGuid(), 3, now,
            new OpportunitySnapshot("Onboarding deal", 1200.00m, "EUR", ada.Id, Guid.NewGuid(), "won", 100, null, "rep-1"));
        await Platform.Sales.Services.GetRequiredService<IBus>().Publish(won, context => context.MessageId = won.EventId);

        foreach (var model in new[] { "first-touch", "last-touch", "linear" })
        {
            var report = await Eventually.ReturnsAsync(async () => (await tenant.Marketing.GetJsonAsync($"/api/v1/attribution/journeys?model={model}")).Body,
                body => body.GetProperty("items").GetArrayLength() > 0, $"the win is credited to the journey's email ({model})");
            var row = Assert.Single(report.GetProperty("items").EnumerateArray());
            Assert.Equal((journey, "Onboarding", email, template), (row.GetProperty("journeyId").GetGuid(), row.Str("journey"),
                row.GetProperty("campaignId").GetGuid(), row.GetProperty("templateId").GetGuid()));
            Assert.Equal(("EUR", 1200.00m, 1), (row.Str("currency"), row.GetProperty("revenue").GetDecimal(), row.GetProperty("opportunities").GetInt32()));
        }
        // The campaign report names the journey of its email; the channel report counts it as email.
        var byCampaign = Assert.Single((await tenant.Marketing.GetJsonAsync("/api/v1/attribution/campaigns?model=linear")).Body.GetProperty("items").EnumerateArray());
        Assert.Equal((email, journey, 1200.00m), (byCampaign.GetProperty("campaignId").GetGuid(), byCampaign.GetProperty("journeyId").GetGuid(),
            byCampaign.GetProperty("revenue").GetDecimal()));
        var byChannel = Assert.Single((await tenant.Marketing.GetJsonAsync("/api/v1/attribution/channels?model=linear")).Body.GetProperty("items").EnumerateArray());
        Assert.Equal(("email", 1200.00m), (byChannel.Str("channel"), byChannel.GetProperty("revenue").GetDecimal()));

        // Another tenant sees none of it; a sales rep may not read it.
        var other = await NewTenantAsync();
        Assert.Equal(0, (await other.Marketing.GetJsonAsync("/api/v1/attribution/journeys")).Body.GetProperty("items").GetArrayLength());
        var rep = Platform.ClientFor(Platform.Marketing, await Platform.Identity.NewClientTokenAsync(tenant.Id, Roles.SalesRep));
        Assert.Equal(HttpStatusCode.Forbidden, (await rep.GetJsonAsync("/api/v1/attribution/journeys")).Status);
    }
}
