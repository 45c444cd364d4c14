using System.Net;
using System.Text.Json;
using CrmPlatform.Contacts.Data;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Identity;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static CrmPlatform.Tests.Consents.ConsentStatements;

namespace CrmPlatform.Tests.Consents;

/// <summary>Recording and reading a person's consents in Contacts: current state, history, evidence, validity, errors, scopes.</summary>
public sealed class ConsentApiTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;
    private readonly HttpClient _client = fixture.Platform.ClientFor(fixture.Platform.Contacts);

    private async Task<Guid> NewPersonAsync(HttpClient? client = null) =>
        (await (client ?? _client).PostJsonAsync("/api/v1/people", Api.NewPerson())).Body.Id();

    [Fact]
    public async Task A_grant_with_evidence_reads_back_as_the_current_consent_and_in_the_history()
    {
        var person = await NewPersonAsync();
        var validUntil = DateTime.UtcNow.AddYears(2);

        var granted = await _client.PostJsonAsync(ConsentsUrl(person), WebFormGrant(validUntil: validUntil));

        Assert.Equal(HttpStatusCode.Created, granted.Status);
        Assert.Equal($"{HistoryUrl(person)}/{granted.Body.Id()}", granted.Response.Headers.Location?.ToString());
        Assert.Equal("\"1\"", granted.Response.Headers.ETag?.Tag);
        Assert.Equal("granted", granted.Body.Str("status"));
        Assert.Equal("test-admin", granted.Body.Str("recordedBy"));

        var current = (await _client.GetJsonAsync(ConsentsUrl(person))).Current("newsletter", "email");
        Assert.Equal("granted", current.Str("status"));
        Assert.Equal("granted", current.Str("effectiveStatus"));
        Assert.True(current.GetProperty("contactAllowed").GetBoolean());
        Assert.Equal(validUntil, current.GetProperty("validUntil").GetDateTime().ToUniversalTime(), TimeSpan.FromMilliseconds(1));
        Assert.EndsWith("Z", current.Str("changedAt"));
        Assert.Equal("web-form", current.Str("source"));
        Assert.Equal(1, current.GetProperty("version").GetInt32());
        var evidence = current.GetProperty("evidence");
        Assert.Equal("newsletter-signup", evidence.Str("formId"));
        Assert.Equal("https://www.example.test/newsletter", evidence.Str("formUrl"));
        Assert.Equal("203.0.113.7", evidence.Str("ipAddress"));
        Assert.Equal("Mozilla/5.0 (X11; Linux x86_64)", evidence.Str("userAgent"));
        Assert.Equal("2026-01-02T03:04:05.000000Z", evidence.Str("doubleOptInConfirmedAt"));

        var history = (await _client.GetJsonAsync(HistoryUrl(person))).Items();
        var only = Assert.Single(history);
        Assert.Equal(granted.Body.Id(), only.Id());
        Assert.Equal("203.0.113.7", only.GetProperty("evidence").Str("ipAddress"));

        var one = await _client.GetJsonAsync($"{HistoryUrl(person)}/{only.Id()}");
        Assert.Equal(HttpStatusCode.OK, one.Status);
        Assert.Equal("newsletter-signup", one.Body.GetProperty("evidence").Str("formId"));
    }

    [Fact]
    public async Task A_withdrawal_makes_the_consent_withdrawn_and_the_history_keeps_both_statements()
    {
        var person = await NewPersonAsync();
        await _client.PostJsonAsync(ConsentsUrl(person), WebFormGrant());
        await _client.PostJsonAsync(ConsentsUrl(person), Grant(channel: "sms"));

        var agentToken = await Platform.Identity.NewClientTokenAsync(TenantContext.DefaultTenantId, Roles.ServiceAgent);
        var withdrawn = await Platform.ClientFor(Platform.Contacts, agentToken).PostJsonAsync(ConsentsUrl(person), Withdrawal(reason: "Asked on the phone"));
        Assert.Equal(HttpStatusCode.Created, withdrawn.Status);

        var consents = await _client.GetJsonAsync(ConsentsUrl(person));
        Assert.Equal(["newsletter/email", "newsletter/sms"], consents.Items().Select(c => $"{c.Str("purpose")}/{c.Str("channel")}"));
        var email = consents.Current("newsletter", "email");
        Assert.Equal("withdrawn", email.Str("status"));
        Assert.False(email.GetProperty("contactAllowed").GetBoolean());
        Assert.Equal("Asked on the phone", email.Str("reason"));
        Assert.Equal(withdrawn.Body.Str("recordedBy"), email.Str("changedBy"));
        Assert.StartsWith("client-", email.Str("changedBy"));
        Assert.Equal(2, email.GetProperty("version").GetInt32());
        Assert.Equal(JsonValueKind.Null, email.GetProperty("validUntil").ValueKind);
        Assert.True(consents.Current("newsletter", "sms").GetProperty("contactAllowed").GetBoolean(), "the other channel is untouched");

        var history = (await _client.GetJsonAsync($"{HistoryUrl(person)}?filter[channel]=email")).Items();
        Assert.Equal(["granted", "withdrawn"], history.Select(r => r.Str("status")));
        Assert.Equal([1, 2], history.Select(r => r.GetProperty("version").GetInt32()));
        Assert.Equal("newsletter-signup", history[0].GetProperty("evidence").Str("formId"));
        Assert.Equal("phone-call", history[1].Str("source"));
        Assert.Equal(3, (await _client.GetJsonAsync(HistoryUrl(person))).Items().Count);

        // Consent is personal data: the person's audit log has each change with its actor.
        var audit = (await _client.GetJsonAsync($"/api/v1/audit?entityType=person&entityId={person}")).Items();
        Assert.Equal(["created", "consent-granted", "consent-granted", "consent-withdrawn"], audit.Select(e => e.Str("action")));
        var change = audit[3].GetProperty("changes").GetProperty("consent.newsletter.email");
        Assert.Equal("granted", change.GetProperty("from").Str("status"));
        Assert.Equal("withdrawn", change.GetProperty("to").Str("status"));
    }

    [Fact]
    public async Task A_grant_counts_only_inside_its_validity_window()
    {
        var person = await NewPersonAsync();
        var now = DateTime.UtcNow;
        Assert.Equal(HttpStatusCode.Created, (await _client.PostJsonAsync(ConsentsUrl(person),
            Grant("newsletter", "email", validFrom: now.AddYears(-3), validUntil: now.AddYears(-1)))).Status);
        Assert.Equal(HttpStatusCode.Created, (await _client.PostJsonAsync(ConsentsUrl(person),
            Grant("events", "email", validFrom: now.AddDays(7), validUntil: now.AddDays(30)))).Status);
        Assert.Equal(HttpStatusCode.Created, (await _client.PostJsonAsync(ConsentsUrl(person),
            Grant("product-updates", "post", validFrom: now.AddDays(-1)))).Status);

        var consents = await _client.GetJsonAsync(ConsentsUrl(person));
        Assert.Equal(["newsletter", "product-updates", "events"], consents.Items().Select(c => c.Str("purpose")));
        var expired = consents.Current("newsletter", "email");
        Assert.Equal(("granted", "expired", false), (expired.Str("status"), expired.Str("effectiveStatus"), expired.GetProperty("contactAllowed").GetBoolean()));
        var future = consents.Current("events", "email");
        Assert.Equal(("not-yet-valid", false), (future.Str("effectiveStatus"), future.GetProperty("contactAllowed").GetBoolean()));
        var open = consents.Current("product-updates", "post");
        Assert.Equal(("granted", true), (open.Str("effectiveStatus"), open.GetProperty("contactAllowed").GetBoolean()));
        Assert.Equal(JsonValueKind.Null, open.GetProperty("validUntil").ValueKind);

        // Renewing an expired grant with a new window makes it count again; the old window stays in the history.
        var renewed = await _client.PostJsonAsync(ConsentsUrl(person), Grant("newsletter", "email", validUntil: now.AddYears(1)));
        Assert.Equal(2, renewed.Body.GetProperty("version").GetInt32());
        Assert.True((await _client.GetJsonAsync(ConsentsUrl(person))).Current("newsletter", "email").GetProperty("contactAllowed").GetBoolean());
        var windows = (await _client.GetJsonAsync($"{HistoryUrl(person)}?filter[purpose]=newsletter")).Items();
        Assert.Equal([now.AddYears(-1).Year, now.AddYears(1).Year], windows.Select(r => r.GetProperty("validUntil").GetDateTime().Year));
    }

    public static TheoryData<string, string> InvalidStatements() => new()
    {
        { """{"purpose":"lottery","channel":"email","status":"granted","source":"api"}""", "purpose" },
        { """{"purpose":"newsletter","channel":"pigeon","status":"granted","source":"api"}""", "channel" },
        { """{"purpose":"newsletter","channel":"email","status":"maybe","source":"api"}""", "status" },
        { """{"purpose":"newsletter","channel":"email","status":"granted","source":"rumour"}""", "source" },
        { """{"channel":"email","status":"granted","source":"api"}""", "purpose" },
        { """{"purpose":"newsletter","channel":"email","status":"granted","source":"web-form"}""", "evidence.formId" },
        { """{"purpose":"newsletter","channel":"email","status":"withdrawn","source":"api","validUntil":"2030-01-01T00:00:00Z"}""", "validUntil" },
        { """{"purpose":"newsletter","channel":"email","status":"granted","source":"api","validFrom":"2030-01-01T00:00:00Z","validUntil":"2029-01-01T00:00:00Z"}""", "validUntil" },
        { """{"purpose":"newsletter","channel":"email","status":"granted","source":"api","validUntil":"2001-01-01T00:00:00Z"}""", "validUntil" },
        { """{"purpose":"newsletter","channel":"email","status":"granted","source":"api","reason":"why not"}""", "reason" },
        { """{"purpose":"newsletter","channel":"email","status":"granted","source":"api","evidence":{"ipAddress":"999.1.1.1"}}""", "evidence.ipAddress" },
        { """{"purpose":"newsletter","channel":"email","status":"granted","source":"web-form","evidence":{"formUrl":"javascript:alert(1)"}}""", "evidence.formUrl" },
    };

    [Theory]
    [MemberData(nameof(InvalidStatements))]
    public async Task An_invalid_statement_answers_400_naming_the_field_and_records_nothing(string body, string field)
    {
        var person = await NewPersonAsync();

        var answer = await _client.SendJsonAsync(HttpMethod.Post, ConsentsUrl(person), body);

        answer.AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty(field, out _), $"errors name {field}: {answer.Body}");
        Assert.Empty((await _client.GetJsonAsync(ConsentsUrl(person))).Items());
        Assert.Empty((await _client.GetJsonAsync(HistoryUrl(person))).Items());
    }

    [Fact]
    public async Task An_unknown_person_answers_404_on_every_consent_endpoint()
    {
        var nobody = Guid.CreateVersion7();
        (await _client.GetJsonAsync(ConsentsUrl(nobody))).AssertProblem(HttpStatusCode.NotFound);
        (await _client.GetJsonAsync(HistoryUrl(nobody))).AssertProblem(HttpStatusCode.NotFound);
        (await _client.PostJsonAsync(ConsentsUrl(nobody), Grant())).AssertProblem(HttpStatusCode.NotFound);
        var person = await NewPersonAsync();
        (await _client.GetJsonAsync($"{HistoryUrl(person)}/{Guid.CreateVersion7()}")).AssertProblem(HttpStatusCode.NotFound);
        Assert.False(await PlatformServices.QueryAsync(Platform.Contacts, db => db.Consents.AnyAsync(c => c.PersonId == nobody)));
    }

    [Fact]
    public async Task Another_tenant_can_neither_read_nor_record_consents_of_my_people()
    {
        var person = await NewPersonAsync();
        var granted = await _client.PostJsonAsync(ConsentsUrl(person), WebFormGrant());
        var (_, otherToken) = await Platform.Identity.NewTenantAsync();
        var theirs = Platform.ClientFor(Platform.Contacts, otherToken);

        (await theirs.GetJsonAsync(ConsentsUrl(person))).AssertProblem(HttpStatusCode.NotFound);
        (await theirs.GetJsonAsync(HistoryUrl(person))).AssertProblem(HttpStatusCode.NotFound);
        (await theirs.GetJsonAsync($"{HistoryUrl(person)}/{granted.Body.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        (await theirs.PostJsonAsync(ConsentsUrl(person), Withdrawal())).AssertProblem(HttpStatusCode.NotFound);

        // Their own person with the same purpose and channel is theirs alone.
        var theirPerson = await NewPersonAsync(theirs);
        Assert.Equal(HttpStatusCode.Created, (await theirs.PostJsonAsync(ConsentsUrl(theirPerson), Withdrawal())).Status);
        var mine = (await _client.GetJsonAsync(ConsentsUrl(person))).Current("newsletter", "email");
        Assert.Equal(("granted", 1), (mine.Str("status"), mine.GetProperty("version").GetInt32()));
        Assert.Single((await _client.GetJsonAsync(HistoryUrl(person))).Items());
    }

    [Fact]
    public async Task A_sales_rep_gets_404_for_the_consents_of_a_person_outside_their_scope()
    {
        var admin = Platform.ClientFor(Platform.Identity.Factory);
        var owner = await IdentityApi.NewUserAsync(admin, Roles.SalesRep);
        var outsider = await IdentityApi.NewUserAsync(admin, Roles.SalesRep);
        var ownerClient = Platform.ClientFor(Platform.Contacts,
            await Platform.Identity.SignedTokenAsync(owner.Id.ToString(), TenantContext.DefaultTenantId, Roles.SalesRep));
        var outsiderClient = Platform.ClientFor(Platform.Contacts,
            await Platform.Identity.SignedTokenAsync(outsider.Id.ToString(), TenantContext.DefaultTenantId, Roles.SalesRep));
        var person = await NewPersonAsync(ownerClient);

        Assert.Equal(HttpStatusCode.Created, (await ownerClient.PostJsonAsync(ConsentsUrl(person), Grant())).Status);
        (await outsiderClient.GetJsonAsync(ConsentsUrl(person))).AssertProblem(HttpStatusCode.NotFound);
        (await outsiderClient.PostJsonAsync(ConsentsUrl(person), Withdrawal())).AssertProblem(HttpStatusCode.NotFound);
        Assert.True((await ownerClient.GetJsonAsync(ConsentsUrl(person))).Current("newsletter", "email").GetProperty("contactAllowed").GetBoolean());
    }

    [Fact]
    public async Task Concurrent_statements_about_one_consent_are_all_kept_in_order()
    {
        var person = await NewPersonAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            _client.PostJsonAsync(ConsentsUrl(person), i % 2 == 0 ? Grant(channel: "phone") : Withdrawal(channel: "phone"))));

        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.Created, answer.Status));
        Assert.Equal(Enumerable.Range(1, 8), answers.Select(a => a.Body.GetProperty("version").GetInt32()).Order());
        var history = (await _client.GetJsonAsync(HistoryUrl(person))).Items();
        Assert.Equal(8, history.Count);
        var last = history.MaxBy(r => r.GetProperty("version").GetInt32());
        var current = (await _client.GetJsonAsync(ConsentsUrl(person))).Current("newsletter", "phone");
        Assert.Equal((8, last.Str("status")), (current.GetProperty("version").GetInt32(), current.Str("status")));
    }

    [Fact]
    public async Task A_statement_retried_with_the_same_idempotency_key_is_recorded_once()
    {
        var person = await NewPersonAsync();
        using var client = Platform.ClientFor(Platform.Contacts);
        client.DefaultRequestHeaders.Add("Idempotency-Key", Guid.NewGuid().ToString());

        var first = await client.PostJsonAsync(ConsentsUrl(person), WebFormGrant());
        var retry = await client.PostJsonAsync(ConsentsUrl(person), WebFormGrant());

        Assert.Equal(HttpStatusCode.Created, retry.Status);
        Assert.Equal("true", Assert.Single(retry.Response.Headers.GetValues("Idempotent-Replayed")));
        Assert.Equal(first.Body.Id(), retry.Body.Id());
        Assert.Single((await _client.GetJsonAsync(HistoryUrl(person))).Items());
        Assert.Equal(1, (await _client.GetJsonAsync(ConsentsUrl(person))).Current("newsletter", "email").GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task The_history_cannot_be_changed_or_deleted_even_by_the_services_own_role()
    {
        var person = await NewPersonAsync();
        await _client.PostJsonAsync(ConsentsUrl(person), WebFormGrant());

        await using var scope = Platform.Contacts.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ContactsDbContext>();
        var update = await Assert.ThrowsAsync<PostgresException>(() =>
            db.Database.ExecuteSqlAsync($"UPDATE consent_records SET status = 'withdrawn' WHERE person_id = {person}"));
        Assert.Contains("append-only", update.MessageText);
        await Assert.ThrowsAsync<PostgresException>(() => db.Database.ExecuteSqlAsync($"DELETE FROM consent_records WHERE person_id = {person}"));
    }

    [Fact]
    public async Task Deleting_a_person_withdraws_their_granted_consents_and_keeps_the_history_as_evidence()
    {
        var created = await _client.PostJsonAsync("/api/v1/people", Api.NewPerson());
        var person = created.Body.Id();
        await _client.PostJsonAsync(ConsentsUrl(person), WebFormGrant());
        await _client.PostJsonAsync(ConsentsUrl(person), Withdrawal(channel: "sms"));

        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteJsonAsync($"/api/v1/people/{person}", created.Body.ETag())).Status);

        (await _client.GetJsonAsync(ConsentsUrl(person))).AssertProblem(HttpStatusCode.NotFound);
        (await _client.PostJsonAsync(ConsentsUrl(person), Grant())).AssertProblem(HttpStatusCode.NotFound);
        var history = await PlatformServices.QueryAsync(Platform.Contacts,
            db => db.ConsentRecords.Where(r => r.PersonId == person).OrderBy(r => r.CreatedAt).ThenBy(r => r.Id).ToListAsync());
        Assert.Equal(["email granted", "sms withdrawn", "email withdrawn"], history.Select(r => $"{r.Channel} {r.Status}"));
        Assert.Equal("The person was deleted.", history[2].Reason);
        Assert.Equal("newsletter-signup", history[0].Evidence.FormId);
        Assert.All(await PlatformServices.QueryAsync(Platform.Contacts, db => db.Consents.Where(c => c.PersonId == person).ToListAsync()),
            consent => Assert.Equal("withdrawn", consent.Status));
    }
}
