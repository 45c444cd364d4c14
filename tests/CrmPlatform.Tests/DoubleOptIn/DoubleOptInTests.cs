using System.Net;
using System.Text.Json;
using CrmPlatform.Contacts.DoubleOptIn;
using CrmPlatform.Mail;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static CrmPlatform.Tests.Consents.ConsentStatements;

namespace CrmPlatform.Tests.DoubleOptIn;

/// <summary>
/// Double opt-in end to end: Contacts records a pending consent and sends a real email over SMTP to the Mail project's sink;
/// the link in it (read with MimeKit) confirms through the anonymous endpoint, and the grant reaches Marketing.
/// </summary>
public sealed class DoubleOptInTests(DoubleOptInFixture fixture) : IClassFixture<DoubleOptInFixture>
{
    private PlatformServices Platform => fixture.Platform;
    private readonly HttpClient _contacts = fixture.Platform.ClientFor(fixture.Platform.Contacts);
    private readonly HttpClient _marketing = fixture.Platform.ClientFor(fixture.Platform.Marketing);
    private readonly HttpClient _anonymous = fixture.Platform.Contacts.CreateClient();

    private const string Confirm = "/api/v1/consents/confirm";

    private static string DoubleOptInUrl(Guid person) => $"/api/v1/people/{person}/consents/double-opt-in";

    private static object Request(string purpose = "newsletter", string channel = "email", DateTime? validUntil = null) => new
    {
        purpose,
        channel,
        source = "web-form",
        validUntil,
        evidence = new { formId = "newsletter-signup", ipAddress = "203.0.113.7", userAgent = "Signup browser" },
    };

    private async Task<(Guid Id, string Email)> NewPersonAsync(HttpClient? client = null, string? language = null)
    {
        var email = $"{Guid.NewGuid():N}@example.com";
        var answer = await (client ?? _contacts).PostJsonAsync("/api/v1/people", new { firstName = "Ada", lastName = "Lovelace", email, language });
        Assert.Equal(HttpStatusCode.Created, answer.Status);
        return (answer.Body.Id(), email);
    }

    private Task<ApiAnswer> ConfirmAsync(string token, string userAgent = "Confirming browser/1.0")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Confirm) { Content = System.Net.Http.Json.JsonContent.Create(new { token }) };
        request.Headers.UserAgent.ParseAdd(userAgent);
        return SendAsync(request);
    }

    private async Task<ApiAnswer> SendAsync(HttpRequestMessage request)
    {
        var response = await _anonymous.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new ApiAnswer(response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), response);
    }

    private Task<ApiAnswer> CanContactEventuallyAsync(Guid person, string reason) =>
        Eventually.ReturnsAsync(() => _marketing.GetJsonAsync(CanContactUrl(person)), a => a.Body.Str("reason") == reason,
            $"Marketing answers '{reason}'");

    [Fact]
    public async Task A_real_email_carries_a_link_that_turns_the_pending_consent_into_a_grant_marketing_sees()
    {
        var (person, address) = await NewPersonAsync();
        var validUntil = DateTime.UtcNow.AddYears(2);
        var requested = await _contacts.PostJsonAsync(DoubleOptInUrl(person), Request(validUntil: validUntil));
        Assert.Equal(HttpStatusCode.Accepted, requested.Status);
        Assert.Equal("pending", requested.Body.Str("state"));
        Assert.Equal(address, requested.Body.Str("email"));
        var location = requested.Response.Headers.Location!.ToString();

        // Pending: recorded and published, and no permission anywhere.
        var current = (await _contacts.GetJsonAsync(ConsentsUrl(person))).Current("newsletter", "email");
        Assert.Equal(("pending", "pending", false), (current.Str("status"), current.Str("effectiveStatus"), current.GetProperty("contactAllowed").GetBoolean()));
        var pending = await CanContactEventuallyAsync(person, "pending");
        Assert.False(pending.Body.GetProperty("allowed").GetBoolean());

        // The email, as the mail sink received it from Contacts over TCP.
        var mail = await fixture.EmailToAsync(address);
        var message = mail.Message;
        Assert.Equal("multipart/alternative", message.Body!.ContentType.MimeType);
        Assert.Equal("Please confirm: our newsletter", message.Subject);
        Assert.Equal("no-reply@crm.example.test", message.From.Mailboxes.Single().Address);
        var token = DoubleOptInFixture.TokenIn(mail);
        Assert.Contains($"{DoubleOptInFixture.ConfirmationUrl}?token={token}", message.HtmlBody);
        Assert.True(token.Length >= 43, "256 random bits");

        // Only the token's hash is kept; once sent, the email's bodies (which hold the link) are gone too.
        var stored = await Eventually.ReturnsAsync(() => PlatformServices.QueryAsync(Platform.Contacts, db => db.OutgoingEmails.AsNoTracking().SingleAsync(e => e.To == address)),
            e => e.SentAt is not null, "the email is marked sent");
        Assert.Equal((null, null, 1), (stored.TextBody, stored.HtmlBody, stored.Attempts));
        Assert.Equal($"{stored.Id:N}@contacts.crm", message.MessageId);
        var request = await PlatformServices.QueryAsync(Platform.Contacts, db => db.DoubleOptInRequests.AsNoTracking().SingleAsync(r => r.PersonId == person));
        Assert.Equal(OpaqueToken.Hash(token), request.TokenHash);
        Assert.DoesNotContain(token, JsonSerializer.Serialize(request));

        var confirmed = await ConfirmAsync(token);
        Assert.Equal(HttpStatusCode.OK, confirmed.Status);
        Assert.Equal(("newsletter", "email", "granted"), (confirmed.Body.Str("purpose"), confirmed.Body.Str("channel"), confirmed.Body.Str("status")));
        // The anonymous answer says nothing about who the person is.
        var raw = confirmed.Body.GetRawText();
        Assert.DoesNotContain(address, raw);
        Assert.DoesNotContain(person.ToString(), raw);
        Assert.DoesNotContain("Lovelace", raw);

        var granted = await CanContactEventuallyAsync(person, "granted");
        Assert.True(granted.Body.GetProperty("allowed").GetBoolean());
        Assert.Equal(validUntil, granted.Body.GetProperty("until").GetDateTime().ToUniversalTime(), TimeSpan.FromMilliseconds(1));

        // The history: the pending statement, then the grant with the double opt-in's evidence.
        var history = (await _contacts.GetJsonAsync(HistoryUrl(person))).Items();
        Assert.Equal(["pending", "granted"], history.Select(r => r.Str("status")));
        var evidence = history[1].GetProperty("evidence");
        Assert.Equal(requested.Body.Id(), evidence.GetProperty("doubleOptInRequestId").GetGuid());
        Assert.Equal(confirmed.Body.GetProperty("confirmedAt").GetDateTime(), evidence.GetProperty("doubleOptInConfirmedAt").GetDateTime());
        Assert.Equal("Confirming browser/1.0", evidence.Str("userAgent"));
        Assert.Equal("newsletter-signup", evidence.Str("formId"));
        Assert.Equal(("web-form", "double-opt-in"), (history[1].Str("source"), history[1].Str("recordedBy")));
        Assert.Equal("Signup browser", history[0].GetProperty("evidence").Str("userAgent"));

        var followed = await _contacts.GetJsonAsync(location);
        Assert.Equal("confirmed", followed.Body.Str("state"));
        Assert.Equal(history[1].Id(), followed.Body.GetProperty("grantRecordId").GetGuid());
        Assert.Equal(1, followed.Body.GetProperty("emailAttempts").GetInt32());
        Assert.NotEqual(JsonValueKind.Null, followed.Body.GetProperty("emailSentAt").ValueKind);
    }

    [Fact]
    public async Task A_used_link_is_a_409_an_unknown_one_a_404_and_a_missing_one_a_400()
    {
        var (person, address) = await NewPersonAsync();
        await _contacts.PostJsonAsync(DoubleOptInUrl(person), Request());
        var token = DoubleOptInFixture.TokenIn(await fixture.EmailToAsync(address));

        Assert.Equal(HttpStatusCode.OK, (await ConfirmAsync(token)).Status);
        (await ConfirmAsync(token)).AssertProblem(HttpStatusCode.Conflict);
        (await ConfirmAsync(token[..^2] + "xy")).AssertProblem(HttpStatusCode.NotFound);
        (await ConfirmAsync("")).AssertProblem(HttpStatusCode.BadRequest);

        // Used once: one grant, however often the link is tried.
        Assert.Equal(["pending", "granted"], (await _contacts.GetJsonAsync(HistoryUrl(person))).Items().Select(r => r.Str("status")));
    }

    [Fact]
    public async Task Of_several_confirmations_racing_with_one_link_exactly_one_grants()
    {
        var (person, address) = await NewPersonAsync();
        await _contacts.PostJsonAsync(DoubleOptInUrl(person), Request());
        var token = DoubleOptInFixture.TokenIn(await fixture.EmailToAsync(address));

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => ConfirmAsync(token)));

        Assert.Single(answers, a => a.Status == HttpStatusCode.OK);
        Assert.All(answers.Where(a => a.Status != HttpStatusCode.OK), a => a.AssertProblem(HttpStatusCode.Conflict));
        Assert.Equal(["pending", "granted"], (await _contacts.GetJsonAsync(HistoryUrl(person))).Items().Select(r => r.Str("status")));
    }

    [Fact]
    public async Task An_expired_link_is_a_410_and_the_unconfirmed_consent_is_withdrawn_for_every_subscriber()
    {
        var (person, address) = await NewPersonAsync();
        var requested = await _contacts.PostJsonAsync(DoubleOptInUrl(person), Request());
        var token = DoubleOptInFixture.TokenIn(await fixture.EmailToAsync(address));
        await CanContactEventuallyAsync(person, "pending");

        // Its 48 hours pass.
        await PlatformServices.QueryAsync(Platform.Contacts, db => db.DoubleOptInRequests
            .Where(r => r.PersonId == person).ExecuteUpdateAsync(r => r.SetProperty(x => x.ExpiresAt, DateTime.UtcNow.AddSeconds(-1))));

        var expired = await ConfirmAsync(token);
        expired.AssertProblem(HttpStatusCode.Gone);
        Assert.Contains("expired", expired.Body.Str("detail"));

        var withdrawn = await CanContactEventuallyAsync(person, "withdrawn");
        Assert.False(withdrawn.Body.GetProperty("allowed").GetBoolean());
        var history = (await _contacts.GetJsonAsync(HistoryUrl(person))).Items();
        Assert.Equal(["pending", "withdrawn"], history.Select(r => r.Str("status")));
        Assert.Equal("The double opt-in was not confirmed in time.", history[1].Str("reason"));
        Assert.Equal("expired", (await _contacts.GetJsonAsync(requested.Response.Headers.Location!.ToString())).Body.Str("state"));
        (await ConfirmAsync(token)).AssertProblem(HttpStatusCode.Gone);
    }

    [Fact]
    public async Task A_newer_request_makes_the_older_link_410_and_the_newer_one_confirms()
    {
        var (person, address) = await NewPersonAsync();
        await _contacts.PostJsonAsync(DoubleOptInUrl(person), Request());
        var first = DoubleOptInFixture.TokenIn(await fixture.EmailToAsync(address));
        Assert.Equal(HttpStatusCode.Accepted, (await _contacts.PostJsonAsync(DoubleOptInUrl(person), Request())).Status);
        var second = DoubleOptInFixture.TokenIn(await fixture.EmailToAsync(address, skip: 1));
        Assert.NotEqual(first, second);

        (await ConfirmAsync(first)).AssertProblem(HttpStatusCode.Gone);
        Assert.Equal(HttpStatusCode.OK, (await ConfirmAsync(second)).Status);
        await CanContactEventuallyAsync(person, "granted");
    }

    [Fact]
    public async Task A_statement_recorded_after_the_request_voids_its_link()
    {
        var (person, address) = await NewPersonAsync();
        await _contacts.PostJsonAsync(DoubleOptInUrl(person), Request());
        var token = DoubleOptInFixture.TokenIn(await fixture.EmailToAsync(address));
        Assert.Equal(HttpStatusCode.Created, (await _contacts.PostJsonAsync(ConsentsUrl(person), Withdrawal(reason: "Called to say no"))).Status);

        (await ConfirmAsync(token)).AssertProblem(HttpStatusCode.Gone);
        Assert.Equal("withdrawn", (await _contacts.GetJsonAsync(ConsentsUrl(person))).Current("newsletter", "email").Str("status"));
    }

    [Fact]
    public async Task The_link_opens_a_page_whose_button_confirms_and_opening_it_alone_changes_nothing()
    {
        var (person, address) = await NewPersonAsync();
        await _contacts.PostJsonAsync(DoubleOptInUrl(person), Request());
        var token = DoubleOptInFixture.TokenIn(await fixture.EmailToAsync(address));

        var page = await _anonymous.GetAsync($"{Confirm}?token={token}");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<form method=\"post\" action=\"/api/v1/consents/confirm/page\"", html);
        Assert.Contains($"value=\"{token}\"", html);
        Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("pending", (await _contacts.GetJsonAsync(ConsentsUrl(person))).Current("newsletter", "email").Str("status"));

        var posted = await _anonymous.PostAsync($"{Confirm}/page", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }));
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        Assert.Contains("is confirmed", await posted.Content.ReadAsStringAsync());
        Assert.Equal("granted", (await _contacts.GetJsonAsync(ConsentsUrl(person))).Current("newsletter", "email").Str("status"));

        var again = await _anonymous.GetAsync($"{Confirm}?token={token}");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("already been used", await again.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await _anonymous.GetAsync($"{Confirm}?token=nonsense")).StatusCode);
    }

    [Fact]
    public async Task The_email_speaks_the_persons_language_and_falls_back_to_english()
    {
        var (_, german) = await SendToNewPersonAsync("de-AT");
        Assert.Equal("Bitte bestätigen: Newsletter", german.Message.Subject);
        Assert.Contains("bitte bestätigen Sie", german.Message.TextBody);
        Assert.Contains("lang=\"de\"", german.Message.HtmlBody);

        var (_, finnish) = await SendToNewPersonAsync("fi");
        Assert.Equal("Please confirm: our newsletter", finnish.Message.Subject);

        async Task<(Guid, ReceivedMail)> SendToNewPersonAsync(string language)
        {
            var (person, address) = await NewPersonAsync(language: language);
            Assert.Equal(HttpStatusCode.Accepted, (await _contacts.PostJsonAsync(DoubleOptInUrl(person), Request())).Status);
            return (person, await fixture.EmailToAsync(address));
        }
    }

    [Fact]
    public async Task Bad_requests_are_problems_and_record_nothing()
    {
        var (person, _) = await NewPersonAsync();
        var sms = await _contacts.PostJsonAsync(DoubleOptInUrl(person), Request(channel: "sms"));
        sms.AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(sms.Body.GetProperty("errors").TryGetProperty("channel", out _));
        (await _contacts.PostJsonAsync(DoubleOptInUrl(person), new { purpose = "lottery", channel = "email", source = "web-form" })).AssertProblem(HttpStatusCode.BadRequest);
        (await _contacts.PostJsonAsync(DoubleOptInUrl(Guid.CreateVersion7()), Request())).AssertProblem(HttpStatusCode.NotFound);
        Assert.Empty((await _contacts.GetJsonAsync(HistoryUrl(person))).Items());

        var unwilling = (await _contacts.PostJsonAsync("/api/v1/people", new
        {
            firstName = "Charles", lastName = "Babbage", email = $"{Guid.NewGuid():N}@example.com",
            communicationPreferences = new { doNotEmail = true },
        })).Body.Id();
        (await _contacts.PostJsonAsync(DoubleOptInUrl(unwilling), Request())).AssertProblem(HttpStatusCode.Conflict);
        Assert.Empty((await _contacts.GetJsonAsync(HistoryUrl(unwilling))).Items());

        // Granted and in force already: nothing to confirm, and the grant stays.
        Assert.Equal(HttpStatusCode.Created, (await _contacts.PostJsonAsync(ConsentsUrl(person), Grant())).Status);
        (await _contacts.PostJsonAsync(DoubleOptInUrl(person), Request())).AssertProblem(HttpStatusCode.Conflict);
        Assert.Equal("granted", (await _contacts.GetJsonAsync(ConsentsUrl(person))).Current("newsletter", "email").Str("status"));
    }

    [Fact]
    public async Task While_the_mail_server_is_down_the_email_waits_and_arrives_once_when_it_is_back()
    {
        var (person, address) = await NewPersonAsync();
        await fixture.StopMailServerAsync();
        ApiAnswer requested;
        try
        {
            requested = await _contacts.PostJsonAsync(DoubleOptInUrl(person), Request());
            Assert.Equal(HttpStatusCode.Accepted, requested.Status);
            var location = requested.Response.Headers.Location!.ToString();
            await Eventually.ReturnsAsync(() => _contacts.GetJsonAsync(location), a => a.Body.GetProperty("emailAttempts").GetInt32() >= 2,
                "the sender tries and fails at least twice");
            var stored = await PlatformServices.QueryAsync(Platform.Contacts, db => db.OutgoingEmails.AsNoTracking().SingleAsync(e => e.To == address));
            Assert.Null(stored.SentAt);
            Assert.NotNull(stored.LastError);
        }
        finally
        {
            await fixture.StartMailServerAsync();
        }

        var mail = await fixture.EmailToAsync(address);
        var sent = await Eventually.ReturnsAsync(() => _contacts.GetJsonAsync(requested.Response.Headers.Location!.ToString()),
            a => a.Body.GetProperty("emailSentAt").ValueKind != JsonValueKind.Null, "the email is marked sent");
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Single(fixture.Mail.Messages, m => m.Recipients.Contains(address));
        Assert.Equal(HttpStatusCode.OK, (await ConfirmAsync(DoubleOptInFixture.TokenIn(mail))).Status);
        Assert.True(sent.Body.GetProperty("emailAttempts").GetInt32() >= 3);
    }

    [Fact]
    public async Task An_email_whose_link_expired_while_the_mail_server_was_down_is_dropped_unsent()
    {
        var (person, address) = await NewPersonAsync();
        await fixture.StopMailServerAsync();
        string location;
        try
        {
            location = (await _contacts.PostJsonAsync(DoubleOptInUrl(person), Request())).Response.Headers.Location!.ToString();
            await Eventually.ReturnsAsync(() => _contacts.GetJsonAsync(location), a => a.Body.GetProperty("emailAttempts").GetInt32() >= 1,
                "the sender tries and fails");
            await PlatformServices.QueryAsync(Platform.Contacts, db => db.OutgoingEmails.Where(e => e.To == address)
                .ExecuteUpdateAsync(e => e.SetProperty(x => x.DiscardAfter, DateTime.UtcNow.AddSeconds(-1))));
            var dropped = await Eventually.ReturnsAsync(
                () => PlatformServices.QueryAsync(Platform.Contacts, db => db.OutgoingEmails.AsNoTracking().SingleAsync(e => e.To == address)),
                e => e.DiscardedAt is not null, "the sender drops the expired email");
            Assert.Equal((null, null, null), (dropped.SentAt, dropped.TextBody, dropped.HtmlBody));
        }
        finally
        {
            await fixture.StartMailServerAsync();
        }

        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.DoesNotContain(fixture.Mail.Messages, m => m.Recipients.Contains(address));
    }

    [Fact]
    public async Task Another_tenant_can_neither_request_nor_read_a_double_opt_in_of_my_people_and_a_confirmation_stays_in_its_tenant()
    {
        var (person, address) = await NewPersonAsync();
        var mine = await _contacts.PostJsonAsync(DoubleOptInUrl(person), Request());
        var (_, otherToken) = await Platform.Identity.NewTenantAsync();
        var theirs = Platform.ClientFor(Platform.Contacts, otherToken);

        (await theirs.PostJsonAsync(DoubleOptInUrl(person), Request())).AssertProblem(HttpStatusCode.NotFound);
        (await theirs.GetJsonAsync(mine.Response.Headers.Location!.ToString())).AssertProblem(HttpStatusCode.NotFound);
        (await theirs.GetJsonAsync($"{DoubleOptInUrl(person)}/{mine.Body.Id()}")).AssertProblem(HttpStatusCode.NotFound);

        // Their own person's link confirms their consent, in their tenant only.
        var (theirPerson, theirAddress) = await NewPersonAsync(theirs);
        Assert.Equal(HttpStatusCode.Accepted, (await theirs.PostJsonAsync(DoubleOptInUrl(theirPerson), Request())).Status);
        Assert.Equal(HttpStatusCode.OK, (await ConfirmAsync(DoubleOptInFixture.TokenIn(await fixture.EmailToAsync(theirAddress)))).Status);
        Assert.Equal("granted", (await theirs.GetJsonAsync(ConsentsUrl(theirPerson))).Current("newsletter", "email").Str("status"));
        (await _contacts.GetJsonAsync(ConsentsUrl(theirPerson))).AssertProblem(HttpStatusCode.NotFound);
        Assert.Equal("pending", (await _contacts.GetJsonAsync(ConsentsUrl(person))).Current("newsletter", "email").Str("status"));
        var grant = await PlatformServices.QueryAsync(Platform.Contacts, db => db.ConsentRecords.IgnoreQueryFilters().AsNoTracking()
            .SingleAsync(r => r.PersonId == theirPerson && r.Status == "granted"));
        Assert.NotEqual(TenantContext.DefaultTenantId, grant.TenantId);
        Assert.Single(fixture.Mail.Messages, m => m.Recipients.Contains(address));
    }
}
