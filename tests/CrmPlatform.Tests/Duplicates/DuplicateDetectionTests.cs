using System.Net;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static CrmPlatform.Tests.Duplicates.DuplicateData;

namespace CrmPlatform.Tests.Duplicates;

/// <summary>
/// Likely duplicates on create (409 with candidates and reasons unless allowed), on update (listed for review), from the
/// background scan, and the review list with dismissal; each rule, permissions and tenant isolation.
/// </summary>
public sealed class DuplicateDetectionTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;
    private readonly HttpClient _client = fixture.Platform.ClientFor(fixture.Platform.Contacts);

    private Task<HttpClient> ClientAsync(string role, Guid? tenant = null) =>
        Platform.Identity.SignedTokenAsync(Guid.NewGuid().ToString(), tenant ?? TenantContext.DefaultTenantId, role)
            .ContinueWith(token => Platform.ClientFor(Platform.Contacts, token.Result));

    [Fact]
    public async Task The_services_sessions_run_without_PostgreSQLs_JIT()
    {
        // A probe's estimated cost made PostgreSQL compile its plan: 0.89 s of a single create's 0.99 s probe.
        var jit = await PlatformServices.QueryAsync(Platform.Contacts,
            db => db.Database.SqlQueryRaw<string>("SELECT current_setting('jit') AS \"Value\"").SingleAsync());
        Assert.Equal("off", jit);
    }

    [Fact]
    public async Task The_same_phone_and_name_is_a_409_naming_the_candidate_with_its_reasons_unless_allowed()
    {
        var (first, last, phone) = ("Grace", NewName("Hopper"), NewPhone());
        var existing = await _client.PostJsonAsync("/api/v1/people", Person(first, last, phone: phone)).CreatedAsync();

        var again = await _client.PostJsonAsync("/api/v1/people", Person(first, last, phone: phone));
        again.AssertProblem(HttpStatusCode.Conflict);
        Assert.Equal(80, again.Body.GetProperty("threshold").GetInt32());
        var candidate = Assert.Single(again.Body.GetProperty("duplicates").EnumerateArray());
        Assert.Equal(existing.Id(), candidate.Id());
        Assert.Equal($"{first} {last}", candidate.Str("displayName"));
        Assert.Equal(("strong", 100), (candidate.Str("strength"), candidate.GetProperty("score").GetInt32()));
        var reasons = candidate.GetProperty("reasons");
        Assert.Equal(["same-phone", "similar-name"], reasons.Rules().Order());
        var samePhone = reasons.EnumerateArray().Single(r => r.Str("rule") == "same-phone");
        Assert.Equal((phone, 50, "phones"), (samePhone.GetProperty("values")[0].GetString(), samePhone.GetProperty("points").GetInt32(), samePhone.Str("field")));
        Assert.Equal(1.0, reasons.EnumerateArray().Single(r => r.Str("rule") == "similar-name").GetProperty("similarity").GetDouble());
        // Nothing was written.
        Assert.Single((await _client.GetJsonAsync($"/api/v1/people?filter[lastName]={last}")).Items());

        var anyway = await _client.PostJsonAsync("/api/v1/people?allowDuplicates=true", Person(first, last, phone: phone)).CreatedAsync();
        var pair = await PairAsync(_client, "person", existing.Id(), anyway.Id());
        Assert.NotNull(pair);
        Assert.Equal(("strong", 100), (pair.Value.Str("strength"), pair.Value.GetProperty("score").GetInt32()));
    }

    [Fact]
    public async Task A_plus_tag_in_an_email_address_is_the_same_address()
    {
        var local = Guid.NewGuid().ToString("N")[..12];
        var existing = await _client.PostJsonAsync("/api/v1/people", Person("Alan", NewName("Turing"), email: $"{local}@example.org")).CreatedAsync();

        var tagged = await _client.PostJsonAsync("/api/v1/people", Person("Someone", NewName("Else"), email: $"{local}+crm@Example.org"));
        tagged.AssertProblem(HttpStatusCode.Conflict);
        var candidate = Assert.Single(tagged.Body.GetProperty("duplicates").EnumerateArray());
        Assert.Equal(existing.Id(), candidate.Id());
        var reason = Assert.Single(candidate.GetProperty("reasons").EnumerateArray());
        Assert.Equal(("same-email", 80), (reason.Str("rule"), reason.GetProperty("points").GetInt32()));
        Assert.Equal($"{local}@example.org", reason.GetProperty("values")[0].GetString());
    }

    [Fact]
    public async Task A_similar_name_is_strong_only_with_the_same_organization_and_otherwise_listed_for_review()
    {
        var organization = (await _client.PostJsonAsync("/api/v1/organizations", new { name = NewName("Nasa") }).CreatedAsync()).Id();
        var last = NewName("Johnson-Goble");
        var domain = $"{NewName("nasa")}.test";
        var atOrganization = await _client.PostJsonAsync("/api/v1/people", Person("Katherine", last, email: NewEmail(domain), organizationId: organization)).CreatedAsync();

        // Same name, nothing else in common (a free mail address): only possible, created, and listed.
        var alone = await _client.PostJsonAsync("/api/v1/people", Person("Katherine", last)).CreatedAsync();
        var pair = await PairAsync(_client, "person", atOrganization.Id(), alone.Id());
        Assert.Equal(("possible", 50), (pair!.Value.Str("strength"), pair.Value.GetProperty("score").GetInt32()));
        Assert.Equal(["similar-name"], pair.Value.GetProperty("reasons").Rules());

        // The same company domain adds to a name, but stays below strong.
        var colleague = await _client.PostJsonAsync("/api/v1/people", Person("Katherine", last, email: NewEmail(domain))).CreatedAsync();
        var domainPair = await PairAsync(_client, "person", atOrganization.Id(), colleague.Id());
        Assert.Equal(("possible", 70), (domainPair!.Value.Str("strength"), domainPair.Value.GetProperty("score").GetInt32()));
        Assert.Equal(domain, domainPair.Value.GetProperty("reasons").EnumerateArray().Single(r => r.Str("rule") == "same-email-domain").GetProperty("values")[0].GetString());

        // A misspelt first name at the same organization is strong.
        var misspelt = await _client.PostJsonAsync("/api/v1/people", Person("Katharine", last, organizationId: organization));
        misspelt.AssertProblem(HttpStatusCode.Conflict);
        var candidate = Assert.Single(misspelt.Body.GetProperty("duplicates").EnumerateArray());
        Assert.Equal(atOrganization.Id(), candidate.Id());
        Assert.Contains("same-organization", candidate.GetProperty("reasons").Rules());
        Assert.True(candidate.GetProperty("score").GetInt32() >= 80);
    }

    [Fact]
    public async Task Organizations_with_the_same_domain_are_strong_and_a_legal_form_does_not_hide_a_name()
    {
        var name = NewName("Acme");
        var domain = $"{name.ToLowerInvariant()}.test";
        var existing = await _client.PostJsonAsync("/api/v1/organizations", new { name = $"{name} Inc.", domain }).CreatedAsync();

        var sameDomain = await _client.PostJsonAsync("/api/v1/organizations", new { name = "Totally Different", domain });
        sameDomain.AssertProblem(HttpStatusCode.Conflict);
        var candidate = Assert.Single(sameDomain.Body.GetProperty("duplicates").EnumerateArray());
        Assert.Equal((existing.Id(), "same-domain"), (candidate.Id(), Assert.Single(candidate.GetProperty("reasons").EnumerateArray()).Str("rule")));

        var gmbh = await _client.PostJsonAsync("/api/v1/organizations", new { name = $"{name} GmbH" }).CreatedAsync();
        var pair = await PairAsync(_client, "organization", existing.Id(), gmbh.Id());
        var reason = Assert.Single(pair!.Value.GetProperty("reasons").EnumerateArray());
        Assert.Equal(("similar-name", 60, 1.0), (reason.Str("rule"), reason.GetProperty("points").GetInt32(), reason.GetProperty("similarity").GetDouble()));
    }

    [Fact]
    public async Task An_update_that_makes_a_duplicate_is_saved_and_listed_for_review()
    {
        var (last, phone) = (NewName("Vaughan"), NewPhone());
        var first = await _client.PostJsonAsync("/api/v1/people", Person("Dorothy", last, phone: phone)).CreatedAsync();
        var second = await _client.PostJsonAsync("/api/v1/people", Person("Someone", NewName("Other"))).CreatedAsync();
        Assert.Null(await PairAsync(_client, "person", first.Id(), second.Id()));

        var updated = await _client.PutJsonAsync($"/api/v1/people/{second.Id()}", Person("Dorothy", last, email: second.Str("email"), phone: phone), second.ETag());
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        var pair = await PairAsync(_client, "person", first.Id(), second.Id());
        Assert.Equal("strong", pair!.Value.Str("strength"));
    }

    private Task ForgetPairsAsync(params Guid[] ids) => PlatformServices.QueryAsync(Platform.Contacts, db =>
        db.Database.ExecuteSqlAsync($"DELETE FROM duplicate_pairs WHERE record_id = ANY({ids}) OR other_id = ANY({ids})"));

    [Fact]
    public async Task The_scan_finds_stored_duplicates_and_a_dismissed_pair_stays_dismissed()
    {
        var (last, phone) = (NewName("Hamilton"), NewPhone());
        var a = (await _client.PostJsonAsync("/api/v1/people", Person("Margaret", last, phone: phone)).CreatedAsync()).Id();
        var b = (await _client.PostJsonAsync("/api/v1/people?allowDuplicates=true", Person("Margaret", last, phone: phone)).CreatedAsync()).Id();
        var orgName = NewName("Initech");
        var c = (await _client.PostJsonAsync("/api/v1/organizations", new { name = orgName }).CreatedAsync()).Id();
        var d = (await _client.PostJsonAsync("/api/v1/organizations", new { name = $"{orgName} Ltd" }).CreatedAsync()).Id();
        // As if they had been stored before detection existed (an import, a migration).
        await ForgetPairsAsync(a, b, c, d);
        Assert.Null(await PairAsync(_client, "person", a, b));

        var scan = await _client.PostJsonAsync("/api/v1/duplicates/scan", new { });
        Assert.Equal(HttpStatusCode.Accepted, scan.Status);
        var pair = await Eventually.ReturnsAsync(() => PairAsync(_client, "person", a, b), p => p is not null, "the scan lists the people");
        Assert.Equal(100, pair!.Value.GetProperty("score").GetInt32());
        await Eventually.TrueAsync(async () => await PairAsync(_client, "organization", c, d) is not null, "the scan lists the organizations");

        var manager = await ClientAsync(Roles.SalesManager);
        var rep = await ClientAsync(Roles.SalesRep);
        var dismissUrl = $"/api/v1/duplicates/{pair.Value.Id()}/dismiss";
        (await rep.PostJsonAsync(dismissUrl, new { })).AssertProblem(HttpStatusCode.Forbidden);
        (await manager.PostJsonAsync("/api/v1/duplicates/scan", new { })).AssertProblem(HttpStatusCode.Forbidden);
        // A sales manager sees only their team's records; the admin's pair is none of theirs.
        (await manager.PostJsonAsync(dismissUrl, new { })).AssertProblem(HttpStatusCode.NotFound);
        var dismissed = await _client.PostJsonAsync(dismissUrl, new { });
        Assert.Equal((HttpStatusCode.OK, "dismissed"), (dismissed.Status, dismissed.Body.Str("status")));
        Assert.Null(await PairAsync(_client, "person", a, b));

        // A later scan finds them again but leaves the pair dismissed (the organizations, forgotten again, show it ran).
        await ForgetPairsAsync(c, d);
        await _client.PostJsonAsync("/api/v1/duplicates/scan", new { });
        await Eventually.TrueAsync(async () => await PairAsync(_client, "organization", c, d) is not null, "the second scan ran");
        Assert.Null(await PairAsync(_client, "person", a, b));
    }

    [Fact]
    public async Task The_review_list_needs_a_kind_and_pages()
    {
        (await _client.GetJsonAsync("/api/v1/duplicates")).AssertProblem(HttpStatusCode.BadRequest);
        (await _client.GetJsonAsync("/api/v1/duplicates?kind=ticket")).AssertProblem(HttpStatusCode.BadRequest);
        var last = NewName("Page");
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await _client.PostJsonAsync("/api/v1/people?allowDuplicates=true", Person("Paged", last)).CreatedAsync()).Id());
        }
        var page = await _client.GetJsonAsync("/api/v1/duplicates?kind=person&limit=1&sort=-score");
        Assert.Single(page.Items());
        Assert.False(string.IsNullOrEmpty(page.Body.Str("nextCursor")));
        (await _client.PostJsonAsync($"/api/v1/duplicates/{Guid.NewGuid()}/dismiss", new { })).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Another_tenants_records_are_never_candidates_and_its_pairs_are_never_listed()
    {
        var (last, phone) = (NewName("Lamarr"), NewPhone());
        var mine = await _client.PostJsonAsync("/api/v1/people", Person("Hedy", last, phone: phone)).CreatedAsync();
        var otherTenant = Guid.NewGuid();
        var other = await ClientAsync(Roles.Admin, otherTenant);

        // The same person in another tenant is no duplicate of mine.
        var theirs = await other.PostJsonAsync("/api/v1/people", Person("Hedy", last, phone: phone)).CreatedAsync();
        var theirSecond = await other.PostJsonAsync("/api/v1/people?allowDuplicates=true", Person("Hedy", last, phone: phone)).CreatedAsync();
        Assert.NotNull(await PairAsync(other, "person", theirs.Id(), theirSecond.Id()));
        Assert.Null(await PairAsync(other, "person", mine.Id(), theirs.Id()));
        Assert.DoesNotContain((await other.GetJsonAsync("/api/v1/duplicates?kind=person&limit=200")).Items(),
            p => p.GetProperty("records").EnumerateArray().Any(r => r.Id() == mine.Id()));
        Assert.DoesNotContain((await _client.GetJsonAsync("/api/v1/duplicates?kind=person&limit=200")).Items(),
            p => p.GetProperty("records").EnumerateArray().Any(r => r.Id() == theirs.Id()));

        var theirPair = await PairAsync(other, "person", theirs.Id(), theirSecond.Id());
        (await _client.PostJsonAsync($"/api/v1/duplicates/{theirPair!.Value.Id()}/dismiss", new { })).AssertProblem(HttpStatusCode.NotFound);
    }
}
