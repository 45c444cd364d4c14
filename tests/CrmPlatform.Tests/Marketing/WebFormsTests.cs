using System.Net;
using System.Text.Json;
using CrmPlatform.Contacts.Model;
using CrmPlatform.Contracts.Marketing.V1;
using CrmPlatform.Marketing.Forms;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.DoubleOptIn;
using CrmPlatform.Tests.Infrastructure;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CrmPlatform.Tests.Marketing;

/// <summary>
/// Marketing's web forms end to end on the real broker and database: a visitor's submission becomes a person in
/// Contacts (consents with the form's wording as evidence, or a double opt-in email over real SMTP) and a lead in
/// Sales, once however often it is delivered; bots and floods are kept out as at Service's help centre; CORS follows
/// each form's origins; the definitions are the tenant's and the marketing role's.
/// </summary>
public sealed class WebFormsTests(DoubleOptInFixture fixture) : IClassFixture<DoubleOptInFixture>
{
    private const string NewsletterText = "Yes, send me the <b>monthly</b> newsletter & event invitations. I can unsubscribe at any time.";

    private PlatformServices Platform => fixture.Platform;
    private readonly HttpClient _marketing = fixture.Platform.ClientFor(fixture.Platform.Marketing);

    private FormTokens Tokens => Platform.Marketing.Services.GetRequiredService<FormTokens>();

    /// <summary>A token as the page got it some seconds ago (a person needs at least three to fill the form in).</summary>
    private string TokenFor(Guid formId, int secondsAgo = 10) => Tokens.Issue(formId, DateTimeOffset.UtcNow.AddSeconds(-secondsAgo));

    /// <summary>A visitor's browser: anonymous, from an address of its own (the per-client limit counts per address).</summary>
    private HttpClient Visitor(out IPAddress address)
    {
        var bytes = Guid.NewGuid().ToByteArray();
        var chosen = address = IPAddress.Parse($"2001:db8::{bytes[0]:x2}{bytes[1]:x2}:{bytes[2]:x2}{bytes[3]:x2}");
        return new HttpClient(Platform.Marketing.Server.CreateHandler(context => context.Connection.RemoteIpAddress = chosen))
        {
            BaseAddress = Platform.Marketing.Server.BaseAddress,
        };
    }

    private static object FormDefinition(bool doubleOptIn = false, bool createLead = true, Guid? campaignId = null, string[]? origins = null) => new
    {
        name = "Demo request",
        fields = new object[]
        {
            new { key = "first_name", label = "First name", mapsTo = "firstName", required = false },
            new { key = "last_name", label = "Last <name>", mapsTo = "lastName", required = true },
            new { key = "email", label = "Work email", mapsTo = "email", required = true },
            new { key = "company", label = "Company", mapsTo = "company", required = true },
            new { key = "job", label = "Job title", mapsTo = "jobTitle", required = false },
            new { key = "message", label = "How can we help?", mapsTo = "message", required = false },
        },
        consents = new object[] { new { purpose = "newsletter", channel = "email", text = NewsletterText, required = false } },
        doubleOptIn,
        createLead,
        campaignId,
        allowedOrigins = origins ?? ["https://www.acme.example"],
        successMessage = "Thanks, we will be in touch.",
        redirectUrl = "/thank-you",
    };

    private async Task<JsonElement> CreateFormAsync(object? definition = null, HttpClient? client = null) =>
        await (client ?? _marketing).PostJsonAsync("/api/v1/forms", definition ?? FormDefinition()).CreatedAsync();

    private static string Submit(Guid formId) => $"/api/v1/public/forms/{formId}/submissions";

    private static Dictionary<string, string> Visit(string token, string email, string? website = null, bool consent = true, string? lastName = "Franklin") =>
        new Dictionary<string, string?>
        {
            ["first_name"] = "Rosalind", ["last_name"] = lastName, ["email"] = email, ["company"] = "King's College", ["job"] = "Researcher",
            ["message"] = "Please call me about a demo.", ["consent:newsletter:email"] = consent ? "yes" : null, ["formToken"] = token,
            ["website"] = website,
        }.Where(pair => pair.Value is not null).ToDictionary(pair => pair.Key, pair => pair.Value!);

    private static async Task<ApiAnswer> PostFormAsync(HttpClient client, string url, Dictionary<string, string> values, string? origin = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(values) };
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }
        request.Headers.Add("User-Agent", "Mozilla/5.0 (tests)");
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new ApiAnswer(response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), response);
    }

    private static string NewEmail() => $"rosalind.{Guid.NewGuid():N}@example.com";

    private Task<List<FormSubmissionRecord>> SubmissionsAsync(Guid formId) =>
        PlatformServices.QueryAsync(Platform.Marketing, db => db.FormSubmissions.IgnoreQueryFilters().AsNoTracking().Where(s => s.FormId == formId).ToListAsync());

    private Task<List<Person>> PeopleWithAsync(string email) =>
        PlatformServices.QueryAsync(Platform.Contacts, db => (
            from address in db.PersonEmails.AsNoTracking()
            join person in db.People.AsNoTracking() on address.PersonId equals person.Id
            where address.Address == email
            select person).ToListAsync());

    private Task<List<CrmPlatform.Sales.Leads.Lead>> LeadsFromAsync(Guid submissionId) =>
        PlatformServices.QueryAsync(Platform.Sales, db => db.Leads.AsNoTracking()
            .Where(l => l.Source == "web-form" && l.SourceReference == submissionId.ToString()).ToListAsync());

    [Fact]
    public async Task A_submission_flows_to_contacts_with_its_consent_evidence_and_to_sales_as_a_lead_once()
    {
        var campaign = Guid.NewGuid();
        var form = await CreateFormAsync(FormDefinition(campaignId: campaign));
        var formId = form.Id();
        var email = NewEmail();
        using var visitor = Visitor(out var address);

        var sent = await PostFormAsync(visitor, Submit(formId), Visit(TokenFor(formId), email.ToUpperInvariant()), origin: "https://www.acme.example");

        Assert.Equal(HttpStatusCode.Accepted, sent.Status);
        Assert.Equal(("received", "Thanks, we will be in touch.", "/thank-you"), (sent.Body.Str("status"), sent.Body.Str("message"), sent.Body.Str("redirectUrl")));
        var submission = Assert.Single(await SubmissionsAsync(formId));
        Assert.Equal(address.ToString(), submission.IpAddress);

        var person = Assert.Single(await Eventually.ReturnsAsync(() => PeopleWithAsync(email), p => p.Count > 0, "Contacts makes the person"));
        Assert.Equal(("Rosalind", "Franklin", "Researcher"), (person.FirstName, person.LastName, person.JobTitle));
        var consent = await Eventually.ReturnsAsync(() => PlatformServices.QueryAsync(Platform.Contacts, db => db.ConsentRecords.AsNoTracking()
            .Where(r => r.PersonId == person.Id).ToListAsync()), r => r.Count > 0, "the consent is recorded");
        var grant = Assert.Single(consent);
        Assert.Equal(("newsletter", "email", "granted", "web-form"), (grant.Purpose, grant.Channel, grant.Status, grant.Source));
        Assert.Equal((NewsletterText, formId.ToString(), address.ToString(), "Mozilla/5.0 (tests)"),
            (grant.Evidence.Wording, grant.Evidence.FormId, grant.Evidence.IpAddress, grant.Evidence.UserAgent));
        // The wording is what the API shows as evidence too.
        var history = await Platform.ClientFor(Platform.Contacts).GetJsonAsync($"/api/v1/people/{person.Id}/consents/history");
        Assert.Equal(NewsletterText, history.Items().Single().GetProperty("evidence").Str("wording"));

        var lead = Assert.Single(await Eventually.ReturnsAsync(() => LeadsFromAsync(submission.Id), l => l.Count > 0, "Sales captures the lead"));
        Assert.Equal((email, "Franklin", "King's College", campaign), (lead.Email, lead.LastName, lead.Company, lead.CampaignId));

        // The same submission delivered again (same message) and published again (a new message): no second person, lead or consent.
        var again = await PlatformServices.QueryAsync(Platform.Marketing, async db =>
            (await db.OutboxMessages.IgnoreQueryFilters().AsNoTracking().Where(m => m.EventType == typeof(FormSubmitted).FullName).ToListAsync())
            .Select(m => (FormSubmitted)m.ToEvent()).Single(e => e.AggregateId == submission.Id));
        var bus = Platform.Contacts.Services.GetRequiredService<IBus>();
        await bus.Publish(again, context => context.MessageId = again.EventId);
        await bus.Publish(again, context => context.MessageId = Guid.NewGuid());
        // A marker behind them: once its person is there, the repeats have been handled.
        var marker = NewEmail();
        await bus.Publish(again with { EventId = Guid.NewGuid(), AggregateId = Guid.NewGuid(), Submission = again.Submission with { Email = marker } });
        await Eventually.TrueAsync(async () => (await PeopleWithAsync(marker)).Count == 1, "the marker's person is made");
        await Task.Delay(500);
        Assert.Single(await PeopleWithAsync(email));
        Assert.Single(await LeadsFromAsync(submission.Id));
        Assert.Equal(2, await PlatformServices.QueryAsync(Platform.Contacts, db => db.ConsentRecords.CountAsync(r => r.PersonId == person.Id)));
    }

    [Fact]
    public async Task A_known_person_is_completed_never_blanked_and_a_double_opt_in_form_mails_a_confirmation()
    {
        var email = NewEmail();
        var existing = await Platform.ClientFor(Platform.Contacts).PostJsonAsync("/api/v1/people",
            new { firstName = "Rosa", lastName = "Franklin", email, phone = Api.NewPhone(), jobTitle = "Chemist" }).CreatedAsync();
        var form = await CreateFormAsync(FormDefinition(doubleOptIn: true, createLead: false));
        using var visitor = Visitor(out _);

        // JSON this time; the visitor left the first name out and typed another job title.
        var values = Visit(TokenFor(form.Id()), email);
        values.Remove("first_name");
        values["job"] = "Crystallographer";
        values["consent:newsletter:email"] = "true";
        var sent = await visitor.PostJsonAsync(Submit(form.Id()), values);
        Assert.Equal(HttpStatusCode.Accepted, sent.Status);

        var mail = await fixture.EmailToAsync(email);
        Assert.Contains("?token=", mail.Message.TextBody);
        var consent = await Eventually.ReturnsAsync(() => PlatformServices.QueryAsync(Platform.Contacts, db => db.ConsentRecords.AsNoTracking()
            .Where(r => r.PersonId == existing.Id()).ToListAsync()), r => r.Count > 0, "the pending consent is recorded");
        var pending = Assert.Single(consent);
        Assert.Equal(("pending", NewsletterText), (pending.Status, pending.Evidence.Wording));
        var person = Assert.Single(await PeopleWithAsync(email));
        Assert.Equal((existing.Id(), "Rosa", "Chemist"), (person.Id, person.FirstName, person.JobTitle));
    }

    [Fact]
    public async Task An_access_request_exports_the_persons_submissions_and_an_erasure_removes_what_they_typed()
    {
        var steps = new CrmPlatform.Tests.Gdpr.GdprSteps(Platform);
        var email = NewEmail();
        var person = (await steps.Contacts.PostJsonAsync("/api/v1/people", Api.NewPerson(email: email, firstName: "Rosalind", lastName: "Franklin"))).Body.Id();
        await Eventually.TrueAsync(async () => await PlatformServices.DirectoryEntryAsync(Platform.Marketing, person) is not null, "Marketing knows the person");
        var form = await CreateFormAsync(FormDefinition(createLead: false));
        using var visitor = Visitor(out var address);
        Assert.Equal(HttpStatusCode.Accepted, (await PostFormAsync(visitor, Submit(form.Id()), Visit(TokenFor(form.Id()), email.ToUpperInvariant()))).Status);
        var other = NewEmail();
        Assert.Equal(HttpStatusCode.Accepted, (await PostFormAsync(visitor, Submit(form.Id()), Visit(TokenFor(form.Id()), other))).Status);

        var access = await steps.CompletedRequestAsync(person, "access");
        var export = await steps.Contacts.GetJsonAsync($"{CrmPlatform.Tests.Gdpr.GdprSteps.RequestsUrl}/{access.Id()}/export");
        var exported = Assert.Single(export.Body.GetProperty("services").GetProperty("marketing").GetProperty("data").GetProperty("formSubmissions").EnumerateArray());
        Assert.Equal(address.ToString(), exported.Str("ipAddress"));
        Assert.Contains("Please call me about a demo.", exported.GetProperty("values").GetRawText());

        await steps.CompletedRequestAsync(person, "erasure");
        var submissions = await SubmissionsAsync(form.Id());
        var erased = Assert.Single(submissions, s => s.Email is null);
        Assert.Equal((0, (string?)null, (string?)null, 1), (erased.Values.Count, erased.IpAddress, erased.UserAgent, erased.Consents.Count));
        Assert.Equal(other, Assert.Single(submissions, s => s.Email is not null).Email);
    }

    [Fact]
    public async Task Missing_required_fields_are_a_422_naming_them_and_nothing_is_stored()
    {
        var form = await CreateFormAsync();
        using var visitor = Visitor(out _);
        var values = Visit(TokenFor(form.Id()), "not-an-address", lastName: null);
        values.Remove("company");

        var refused = await PostFormAsync(visitor, Submit(form.Id()), values);

        refused.AssertProblem(HttpStatusCode.UnprocessableEntity);
        var errors = refused.Body.GetProperty("errors");
        Assert.Equal(["company", "email", "last_name"], errors.EnumerateObject().Select(e => e.Name).Order().ToArray());
        Assert.Empty(await SubmissionsAsync(form.Id()));
    }

    [Fact]
    public async Task A_filled_honeypot_is_answered_as_received_and_a_bad_token_refused_and_neither_is_stored()
    {
        var form = await CreateFormAsync();
        var other = await CreateFormAsync();
        using var visitor = Visitor(out _);

        var bot = await PostFormAsync(visitor, Submit(form.Id()), Visit(TokenFor(form.Id()), NewEmail(), website: "http://spam.example"));
        Assert.Equal(HttpStatusCode.Accepted, bot.Status);

        foreach (var token in new[] { TokenFor(form.Id(), secondsAgo: 0), TokenFor(form.Id(), secondsAgo: 3 * 3600), TokenFor(other.Id()), "nonsense" })
        {
            (await PostFormAsync(visitor, Submit(form.Id()), Visit(token, NewEmail()))).AssertProblem(HttpStatusCode.UnprocessableEntity);
        }
        Assert.Empty(await SubmissionsAsync(form.Id()));
    }

    [Fact]
    public async Task A_client_sending_too_often_gets_429_with_retry_after()
    {
        var form = await CreateFormAsync();
        using var visitor = Visitor(out _);
        // Five per minute and address by default.
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await PostFormAsync(visitor, Submit(form.Id()), Visit(TokenFor(form.Id()), NewEmail(), consent: false))).Status);
        }

        var limited = await PostFormAsync(visitor, Submit(form.Id()), Visit(TokenFor(form.Id()), NewEmail()));

        limited.AssertProblem(HttpStatusCode.TooManyRequests);
        Assert.True(int.Parse(limited.Response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal(5, (await SubmissionsAsync(form.Id())).Count);
        // Another visitor is not held back.
        using var another = Visitor(out _);
        Assert.Equal(HttpStatusCode.Accepted, (await PostFormAsync(another, Submit(form.Id()), Visit(TokenFor(form.Id()), NewEmail(), consent: false))).Status);
    }

    [Fact]
    public async Task Cors_allows_only_the_forms_own_origins()
    {
        var form = await CreateFormAsync(FormDefinition(origins: ["https://www.acme.example", "http://localhost:3000"]));
        using var visitor = Visitor(out _);
        async Task<HttpResponseMessage> PreflightAsync(string origin)
        {
            using var request = new HttpRequestMessage(HttpMethod.Options, Submit(form.Id()));
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Access-Control-Request-Method", "POST");
            request.Headers.Add("Access-Control-Request-Headers", "content-type");
            return await visitor.SendAsync(request);
        }

        var allowed = await PreflightAsync("https://www.acme.example");
        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
        Assert.Equal("https://www.acme.example", Assert.Single(allowed.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Contains("POST", allowed.Headers.GetValues("Access-Control-Allow-Methods").Single());
        Assert.False((await PreflightAsync("https://evil.example")).Headers.Contains("Access-Control-Allow-Origin"));
        // Another form's origin is not this form's.
        var other = await CreateFormAsync(FormDefinition(origins: ["https://other.example"]));
        Assert.Equal("http://localhost:3000", Assert.Single((await PreflightAsync("http://localhost:3000")).Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.False((await PreflightAsync("https://other.example")).Headers.Contains("Access-Control-Allow-Origin"));

        var fromSite = await PostFormAsync(visitor, Submit(form.Id()), Visit(TokenFor(form.Id()), NewEmail(), consent: false), origin: "https://www.acme.example");
        Assert.Equal("https://www.acme.example", Assert.Single(fromSite.Response.Headers.GetValues("Access-Control-Allow-Origin")));
        var fromElsewhere = await PostFormAsync(visitor, Submit(other.Id()), Visit(TokenFor(other.Id()), NewEmail(), consent: false), origin: "https://www.acme.example");
        Assert.False(fromElsewhere.Response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task The_snippet_has_encoded_labels_the_consent_wording_the_honeypot_and_a_token_and_archived_forms_are_gone()
    {
        var form = await CreateFormAsync();
        using var visitor = Visitor(out _);

        var snippet = await visitor.GetAsync(form.Str("embedUrl"));

        Assert.Equal(HttpStatusCode.OK, snippet.StatusCode);
        Assert.Equal("text/html", snippet.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-store", snippet.Headers.CacheControl?.ToString());
        var html = await snippet.Content.ReadAsStringAsync();
        Assert.Contains("Last &lt;name&gt;", html);
        Assert.DoesNotContain("<b>monthly</b>", html);
        Assert.Contains("send me the &lt;b&gt;monthly&lt;/b&gt; newsletter &amp; event invitations", html);
        Assert.Contains("""name="consent:newsletter:email" """, html);
        Assert.Contains("""name="website" tabindex="-1" """, html);
        Assert.Contains($"action=\"http://localhost{Submit(form.Id())}\"", html);
        var token = System.Text.RegularExpressions.Regex.Match(html, "name=\"formToken\" value=\"([^\"]+)\"").Groups[1].Value;
        // A genuine token for this form, just issued: too fresh to send yet.
        Assert.Equal(FormTokenCheck.TooFast, Tokens.Check(form.Id(), token));

        (await _marketing.DeleteJsonAsync($"/api/v1/forms/{form.Id()}", form.ETag())).Response.EnsureSuccessStatusCode();
        (await visitor.GetJsonAsync(form.Str("embedUrl"))).AssertProblem(HttpStatusCode.NotFound);
        (await PostFormAsync(visitor, Submit(form.Id()), Visit(TokenFor(form.Id()), NewEmail()))).AssertProblem(HttpStatusCode.NotFound);
        (await visitor.GetJsonAsync($"/api/v1/public/forms/{Guid.NewGuid()}/snippet")).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Definitions_are_validated_versioned_and_the_tenants_own()
    {
        var bad = await _marketing.PostJsonAsync("/api/v1/forms", new
        {
            name = "",
            fields = new object[] { new { key = "website", label = "Site", mapsTo = "homepage" } },
            consents = new object[] { new { purpose = "newsletter", channel = "pigeon", text = "" } },
            allowedOrigins = new[] { "https://www.acme.example/contact" },
            redirectUrl = "//evil.example/",
        });
        bad.AssertProblem(HttpStatusCode.BadRequest);
        Assert.Equal(["allowedOrigins[0]", "consents[0].channel", "consents[0].text", "fields", "fields[0].key", "fields[0].mapsTo", "name", "redirectUrl"],
            bad.Body.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal).ToArray());

        var form = await CreateFormAsync();
        Assert.Equal(["https://www.acme.example"], form.GetProperty("allowedOrigins").EnumerateArray().Select(o => o.GetString()!).ToArray());
        (await _marketing.PutJsonAsync($"/api/v1/forms/{form.Id()}", FormDefinition(), ifMatch: null)).AssertProblem(HttpStatusCode.PreconditionRequired);
        var updated = await _marketing.PutJsonAsync($"/api/v1/forms/{form.Id()}", FormDefinition(createLead: false), form.ETag());
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        Assert.False(updated.Body.GetProperty("createLead").GetBoolean());
        (await _marketing.PutJsonAsync($"/api/v1/forms/{form.Id()}", FormDefinition(), form.ETag())).AssertProblem(HttpStatusCode.PreconditionFailed);

        // Another tenant's marketer neither sees nor changes it, and its form is not in this tenant's list.
        var (_, otherToken) = await Platform.Identity.NewTenantAsync(Roles.Marketing);
        var otherMarketing = Platform.ClientFor(Platform.Marketing, otherToken);
        (await otherMarketing.GetJsonAsync($"/api/v1/forms/{form.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        (await otherMarketing.PutJsonAsync($"/api/v1/forms/{form.Id()}", FormDefinition(), Api.AnyVersion)).AssertProblem(HttpStatusCode.NotFound);
        var theirs = await CreateFormAsync(client: otherMarketing);
        Assert.DoesNotContain((await _marketing.GetJsonAsync("/api/v1/forms?limit=100")).Items(), f => f.Id() == theirs.Id());
        Assert.Contains((await otherMarketing.GetJsonAsync("/api/v1/forms")).Items(), f => f.Id() == theirs.Id());
    }

    [Fact]
    public async Task Only_marketing_and_admins_build_forms_read_only_users_look_and_others_are_refused()
    {
        var form = await CreateFormAsync();
        foreach (var role in new[] { Roles.SalesRep, Roles.SalesManager, Roles.ServiceAgent })
        {
            var client = Platform.ClientFor(Platform.Marketing, await Platform.Identity.NewClientTokenAsync(TenantContext.DefaultTenantId, role));
            (await client.GetJsonAsync("/api/v1/forms")).AssertProblem(HttpStatusCode.Forbidden);
            (await client.GetJsonAsync($"/api/v1/forms/{form.Id()}")).AssertProblem(HttpStatusCode.Forbidden);
            (await client.PostJsonAsync("/api/v1/forms", FormDefinition())).AssertProblem(HttpStatusCode.Forbidden);
        }
        var readOnly = Platform.ClientFor(Platform.Marketing, await Platform.Identity.NewClientTokenAsync(TenantContext.DefaultTenantId, Roles.ReadOnly));
        Assert.Equal(HttpStatusCode.OK, (await readOnly.GetJsonAsync($"/api/v1/forms/{form.Id()}")).Status);
        (await readOnly.PostJsonAsync("/api/v1/forms", FormDefinition())).AssertProblem(HttpStatusCode.Forbidden);
        (await readOnly.DeleteJsonAsync($"/api/v1/forms/{form.Id()}", Api.AnyVersion)).AssertProblem(HttpStatusCode.Forbidden);

        var marketer = Platform.ClientFor(Platform.Marketing, await Platform.Identity.NewClientTokenAsync(TenantContext.DefaultTenantId, Roles.Marketing));
        var own = await CreateFormAsync(client: marketer);
        Assert.Equal(HttpStatusCode.OK, (await marketer.GetJsonAsync($"/api/v1/forms/{own.Id()}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await _marketing.GetJsonAsync($"/api/v1/forms/{own.Id()}")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await marketer.DeleteJsonAsync($"/api/v1/forms/{own.Id()}", own.ETag())).Status);
        (await Platform.Marketing.CreateClient().GetJsonAsync("/api/v1/forms")).AssertProblem(HttpStatusCode.Unauthorized);
    }
}
