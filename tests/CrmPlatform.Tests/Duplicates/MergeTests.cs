using System.Net;
using System.Text.Json;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static CrmPlatform.Tests.Consents.ConsentStatements;
using static CrmPlatform.Tests.Duplicates.DuplicateData;

namespace CrmPlatform.Tests.Duplicates;

/// <summary>
/// Merging people and organizations in Contacts: chosen fields, united contact points, re-pointed relations, reads of a
/// merged id, version checks, undo within the window and not after it, permissions and tenant isolation.
/// </summary>
public sealed class MergeTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;
    private readonly HttpClient _client = fixture.Platform.ClientFor(fixture.Platform.Contacts);

    private async Task<HttpClient> ClientAsync(string role, Guid? tenant = null) => Platform.ClientFor(Platform.Contacts,
        await Platform.Identity.SignedTokenAsync(Guid.NewGuid().ToString(), tenant ?? TenantContext.DefaultTenantId, role));

    private Task<JsonElement> NewPersonAsync(string first, string last, string? phone = null, Guid? organizationId = null) =>
        _client.PostJsonAsync("/api/v1/people?allowDuplicates=true", Person(first, last, phone: phone ?? NewPhone(), organizationId: organizationId)).CreatedAsync();

    private Task<JsonElement> NewOrganizationAsync(string name, Guid? parent = null) =>
        _client.PostJsonAsync("/api/v1/organizations?allowDuplicates=true", new { name, parentOrganizationId = parent }).CreatedAsync();

    private async Task<JsonElement> GetAsync(string url)
    {
        var answer = await _client.GetJsonAsync(url);
        Assert.True(answer.Status == HttpStatusCode.OK, $"GET {url}: {(int)answer.Status} {answer.Body}");
        return answer.Body;
    }

    private async Task<ApiAnswer> MergeAsync(string kind, JsonElement survivor, object body, HttpClient? client = null) =>
        await (client ?? _client).SendJsonAsync(HttpMethod.Post, $"/api/v1/{kind}/merge", body, survivor.ETag());

    [Fact]
    public async Task Merging_people_takes_the_chosen_fields_unites_contact_points_and_repoints_every_relation()
    {
        var last = NewName("Curie");
        var survivor = await NewPersonAsync("Marie", last);
        var sourceId = $"ext-{Guid.NewGuid():N}";
        var merged = (await _client.PutJsonAsync($"/api/v1/people/by-external-id/legacy/{sourceId}?allowDuplicates=true",
            Person("Maria", last, phone: NewPhone()), null)).Body;
        var third = await NewPersonAsync("Pierre", NewName("Curie"));
        var organization = await NewOrganizationAsync(NewName("Sorbonne"));
        await _client.PutJsonAsync($"/api/v1/people/{merged.Id()}", new
        {
            firstName = "Maria", lastName = last, emails = new[] { new { address = merged.Str("email"), primary = true }, new { address = NewEmail(), primary = false } },
            phone = merged.Str("phone"), jobTitle = "Physicist", tags = new[] { "nobel" },
        }, merged.ETag());
        Assert.Equal(HttpStatusCode.Created, (await _client.PostJsonAsync($"/api/v1/people/{merged.Id()}/affiliations", new { organizationId = organization.Id(), roles = new[] { "champion" } })).Status);
        Assert.Equal(HttpStatusCode.Created, (await _client.PostJsonAsync($"/api/v1/people/{merged.Id()}/links", new { relatedPersonId = third.Id(), type = "colleague" })).Status);
        Assert.Equal(HttpStatusCode.Created, (await _client.PostJsonAsync($"/api/v1/people/{merged.Id()}/links", new { relatedPersonId = survivor.Id(), type = "spouse" })).Status);
        Assert.Equal(HttpStatusCode.Created, (await _client.PostJsonAsync(ConsentsUrl(merged.Id()), Grant())).Status);
        var mergedNow = await GetAsync($"/api/v1/people/{merged.Id()}");

        var answer = await MergeAsync("people", survivor, new
        {
            survivorId = survivor.Id(), mergedIds = new[] { merged.Id() },
            fields = new Dictionary<string, Guid> { ["jobTitle"] = merged.Id() },
            versions = new Dictionary<Guid, int> { [merged.Id()] = mergedNow.GetProperty("version").GetInt32() },
        });
        Assert.True(answer.Status == HttpStatusCode.Created, answer.Body.ToString());
        Assert.Equal($"/api/v1/merges/{answer.Body.Id()}", answer.Response.Headers.Location?.ToString());
        Assert.Equal((survivor.Id(), "person"), (answer.Body.GetProperty("survivorId").GetGuid(), answer.Body.Str("kind")));

        var after = await GetAsync($"/api/v1/people/{survivor.Id()}");
        Assert.Equal(("Marie", "Physicist"), (after.Str("firstName"), after.Str("jobTitle")));
        Assert.Equal(survivor.Str("email"), after.Str("email"));
        Assert.Equal(3, after.GetProperty("emails").GetArrayLength());
        Assert.Equal(2, after.GetProperty("phones").GetArrayLength());
        Assert.Equal(["nobel"], after.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(survivor.Id(), (await _client.GetJsonAsync($"/api/v1/people?filter[email]={merged.Str("email")}")).Items().Single().Id());

        var gone = await _client.GetJsonAsync($"/api/v1/people/{merged.Id()}");
        gone.AssertProblem(HttpStatusCode.NotFound);
        Assert.Equal((survivor.Id(), answer.Body.Id()), (gone.Body.GetProperty("mergedIntoId").GetGuid(), gone.Body.GetProperty("mergeId").GetGuid()));
        Assert.DoesNotContain((await _client.GetJsonAsync($"/api/v1/people?filter[lastName]={last}")).Items(), p => p.Id() == merged.Id());

        Assert.Equal(organization.Id(), (await _client.GetJsonAsync($"/api/v1/people/{survivor.Id()}/affiliations")).Items().Single().GetProperty("organizationId").GetGuid());
        // The colleague moved over; the spouse link between the two would link Marie to herself and is gone.
        var links = (await _client.GetJsonAsync($"/api/v1/people/{survivor.Id()}/links")).Items();
        Assert.Equal(third.Id(), Assert.Single(links).GetProperty("relatedPersonId").GetGuid());
        Assert.Equal(survivor.Id(), (await GetAsync($"/api/v1/people/by-external-id/legacy/{sourceId}")).Id());
        Assert.Equal("granted", (await _client.GetJsonAsync(ConsentsUrl(survivor.Id()))).Current("newsletter", "email").Str("status"));
    }

    [Fact]
    public async Task The_most_recent_consent_statement_wins_and_the_history_is_kept()
    {
        var last = NewName("Meitner");
        var survivor = await NewPersonAsync("Lise", last);
        var merged = await NewPersonAsync("Lise", last);
        await _client.PostJsonAsync(ConsentsUrl(survivor.Id()), Grant());
        await _client.PostJsonAsync(ConsentsUrl(merged.Id()), Withdrawal());
        await _client.PostJsonAsync(ConsentsUrl(survivor.Id()), Grant(channel: "sms"));

        var answer = await MergeAsync("people", await GetAsync($"/api/v1/people/{survivor.Id()}"), new { survivorId = survivor.Id(), mergedIds = new[] { merged.Id() } });
        Assert.Equal(HttpStatusCode.Created, answer.Status);
        var consents = await _client.GetJsonAsync(ConsentsUrl(survivor.Id()));
        Assert.Equal("withdrawn", consents.Current("newsletter", "email").Str("status"));
        Assert.Equal("granted", consents.Current("newsletter", "sms").Str("status"));
        var history = await PlatformServices.QueryAsync(Platform.Contacts, db => db.ConsentRecords.CountAsync(r => r.PersonId == survivor.Id() || r.PersonId == merged.Id()));
        Assert.Equal(3, history);
    }

    [Fact]
    public async Task A_merge_is_undone_within_the_window_and_refused_twice_after_a_change_or_after_the_window()
    {
        var last = NewName("Franklin");
        var survivor = await NewPersonAsync("Rosalind", last);
        var merged = await NewPersonAsync("Rosalind", last);
        var organization = await NewOrganizationAsync(NewName("Kings"));
        await _client.PostJsonAsync($"/api/v1/people/{merged.Id()}/affiliations", new { organizationId = organization.Id(), roles = new[] { "user" } });
        await _client.PostJsonAsync(ConsentsUrl(merged.Id()), Grant());
        var merge = (await MergeAsync("people", survivor, new
        {
            survivorId = survivor.Id(), mergedIds = new[] { merged.Id() }, fields = new Dictionary<string, Guid> { ["email"] = merged.Id() },
        })).Body;
        Assert.Equal(merged.Str("email"), (await GetAsync($"/api/v1/people/{survivor.Id()}")).Str("email"));

        var undone = await _client.PostJsonAsync($"/api/v1/merges/{merge.Id()}/undo", new { });
        Assert.True(undone.Status == HttpStatusCode.OK, undone.Body.ToString());
        Assert.True(undone.Body.GetProperty("undone").GetBoolean());
        var restored = await GetAsync($"/api/v1/people/{merged.Id()}");
        Assert.Equal((merged.Str("email"), merged.Str("phone")), (restored.Str("email"), restored.Str("phone")));
        var back = await GetAsync($"/api/v1/people/{survivor.Id()}");
        Assert.Equal(survivor.Str("email"), back.Str("email"));
        Assert.Equal(1, back.GetProperty("emails").GetArrayLength());
        Assert.Equal(organization.Id(), (await _client.GetJsonAsync($"/api/v1/people/{merged.Id()}/affiliations")).Items().Single().GetProperty("organizationId").GetGuid());
        Assert.Empty((await _client.GetJsonAsync($"/api/v1/people/{survivor.Id()}/affiliations")).Items());
        Assert.Equal("granted", (await _client.GetJsonAsync(ConsentsUrl(merged.Id()))).Current("newsletter", "email").Str("status"));
        Assert.Empty((await _client.GetJsonAsync(ConsentsUrl(survivor.Id()))).Items());
        Assert.True((await GetAsync($"/api/v1/merges/{merge.Id()}")).GetProperty("undone").GetBoolean());
        (await _client.PostJsonAsync($"/api/v1/merges/{merge.Id()}/undo", new { })).AssertProblem(HttpStatusCode.Conflict);

        // The survivor changed after the merge: undoing would lose that change.
        var again = (await MergeAsync("people", back, new { survivorId = survivor.Id(), mergedIds = new[] { merged.Id() } })).Body;
        var current = await GetAsync($"/api/v1/people/{survivor.Id()}");
        Assert.Equal(HttpStatusCode.OK, (await _client.PutJsonAsync($"/api/v1/people/{survivor.Id()}",
            new { firstName = "Rosalind", lastName = last, emails = current.GetProperty("emails"), jobTitle = "Chemist" }, current.ETag())).Status);
        var changed = await _client.PostJsonAsync($"/api/v1/merges/{again.Id()}/undo", new { });
        changed.AssertProblem(HttpStatusCode.Conflict);
        Assert.Contains("changed since the merge", changed.Body.Str("detail"));

        // Past the undo window (30 days by default).
        var other = await NewPersonAsync("Rosalind", last);
        var late = (await MergeAsync("people", await GetAsync($"/api/v1/people/{survivor.Id()}"), new { survivorId = survivor.Id(), mergedIds = new[] { other.Id() } })).Body;
        await PlatformServices.QueryAsync(Platform.Contacts, db => db.Database.ExecuteSqlAsync(
            $"UPDATE merges SET created_at = created_at - interval '31 days' WHERE id = {late.Id()}"));
        var expired = await _client.PostJsonAsync($"/api/v1/merges/{late.Id()}/undo", new { });
        expired.AssertProblem(HttpStatusCode.Gone);
        (await _client.GetJsonAsync($"/api/v1/people/{other.Id()}")).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_merge_checks_its_input_and_the_versions_read()
    {
        var last = NewName("Noether");
        var survivor = await NewPersonAsync("Emmy", last);
        var merged = await NewPersonAsync("Emmy", last);
        var body = new { survivorId = survivor.Id(), mergedIds = new[] { merged.Id() } };

        (await _client.PostJsonAsync("/api/v1/people/merge", body)).AssertProblem(HttpStatusCode.PreconditionRequired);
        (await _client.SendJsonAsync(HttpMethod.Post, "/api/v1/people/merge", body, "\"99\"")).AssertProblem(HttpStatusCode.PreconditionFailed);
        (await MergeAsync("people", survivor, new { survivorId = survivor.Id(), mergedIds = new[] { merged.Id() }, versions = new Dictionary<Guid, int> { [merged.Id()] = 7 } }))
            .AssertProblem(HttpStatusCode.PreconditionFailed);
        var self = await MergeAsync("people", survivor, new { survivorId = survivor.Id(), mergedIds = new[] { survivor.Id() } });
        self.AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(self.Body.GetProperty("errors").TryGetProperty("mergedIds", out _));
        var field = await MergeAsync("people", survivor, new { survivorId = survivor.Id(), mergedIds = new[] { merged.Id() }, fields = new Dictionary<string, Guid> { ["shoeSize"] = merged.Id() } });
        Assert.True(field.Body.GetProperty("errors").TryGetProperty("fields.shoeSize", out _));
        (await MergeAsync("people", survivor, new { survivorId = survivor.Id(), mergedIds = new[] { Guid.NewGuid() } })).AssertProblem(HttpStatusCode.UnprocessableEntity);
        (await _client.GetJsonAsync($"/api/v1/merges/{Guid.NewGuid()}")).AssertProblem(HttpStatusCode.NotFound);

        // Nothing of the refused attempts was written.
        Assert.Equal(HttpStatusCode.OK, (await _client.GetJsonAsync($"/api/v1/people/{merged.Id()}")).Status);
        Assert.Equal(survivor.GetProperty("version").GetInt32(), (await GetAsync($"/api/v1/people/{survivor.Id()}")).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Of_two_concurrent_merges_of_one_person_exactly_one_wins_and_nothing_is_half_written()
    {
        var last = NewName("Germain");
        var contested = await NewPersonAsync("Sophie", last);
        var first = await NewPersonAsync("Sophie", last);
        var second = await NewPersonAsync("Sophie", last);
        var answers = await Task.WhenAll(
            MergeAsync("people", first, new { survivorId = first.Id(), mergedIds = new[] { contested.Id() } }),
            MergeAsync("people", second, new { survivorId = second.Id(), mergedIds = new[] { contested.Id() } }));

        var winner = Assert.Single(answers, a => a.Status == HttpStatusCode.Created);
        var loser = Assert.Single(answers, a => a.Status != HttpStatusCode.Created);
        loser.AssertProblem(HttpStatusCode.UnprocessableEntity);
        var survivor = winner.Body.GetProperty("survivorId").GetGuid();
        var other = survivor == first.Id() ? second : first;
        Assert.Equal(2, (await GetAsync($"/api/v1/people/{survivor}")).GetProperty("emails").GetArrayLength());
        var untouched = await GetAsync($"/api/v1/people/{other.Id()}");
        Assert.Equal((other.GetProperty("version").GetInt32(), 1), (untouched.GetProperty("version").GetInt32(), untouched.GetProperty("emails").GetArrayLength()));
        Assert.Equal(1, await PlatformServices.QueryAsync(Platform.Contacts, db => db.Merges.CountAsync(m => m.MergedIds.Contains(contested.Id()))));
    }

    [Fact]
    public async Task Merging_organizations_moves_people_roles_and_subsidiaries_and_undo_moves_them_back()
    {
        var name = NewName("Globex");
        var survivor = await NewOrganizationAsync(name);
        var merged = await NewOrganizationAsync($"{name} Corp");
        var subsidiary = await NewOrganizationAsync(NewName("Globex Labs"), merged.Id());
        var employee = await NewPersonAsync("Hank", NewName("Scorpio"), organizationId: merged.Id());
        var advisor = await NewPersonAsync("Frank", NewName("Grimes"));
        await _client.PostJsonAsync($"/api/v1/people/{advisor.Id()}/affiliations", new { organizationId = merged.Id(), roles = new[] { "influencer" } });

        var answer = await MergeAsync("organizations", survivor, new { survivorId = survivor.Id(), mergedIds = new[] { merged.Id() } });
        Assert.True(answer.Status == HttpStatusCode.Created, answer.Body.ToString());
        Assert.Equal(survivor.Id(), (await GetAsync($"/api/v1/people/{employee.Id()}")).GetProperty("organizationId").GetGuid());
        Assert.Equal(survivor.Id(), (await GetAsync($"/api/v1/organizations/{subsidiary.Id()}")).GetProperty("parentOrganizationId").GetGuid());
        Assert.Equal(survivor.Id(), (await _client.GetJsonAsync($"/api/v1/people/{advisor.Id()}/affiliations")).Items().Single().GetProperty("organizationId").GetGuid());
        var gone = await _client.GetJsonAsync($"/api/v1/organizations/{merged.Id()}");
        gone.AssertProblem(HttpStatusCode.NotFound);
        Assert.Equal(survivor.Id(), gone.Body.GetProperty("mergedIntoId").GetGuid());

        Assert.Equal(HttpStatusCode.OK, (await _client.PostJsonAsync($"/api/v1/merges/{answer.Body.Id()}/undo", new { })).Status);
        Assert.Equal(merged.Id(), (await GetAsync($"/api/v1/people/{employee.Id()}")).GetProperty("organizationId").GetGuid());
        Assert.Equal(merged.Id(), (await GetAsync($"/api/v1/organizations/{subsidiary.Id()}")).GetProperty("parentOrganizationId").GetGuid());
        Assert.Equal(merged.Id(), (await _client.GetJsonAsync($"/api/v1/people/{advisor.Id()}/affiliations")).Items().Single().GetProperty("organizationId").GetGuid());
        Assert.Equal($"{name} Corp", (await GetAsync($"/api/v1/organizations/{merged.Id()}")).Str("name"));
    }

    [Fact]
    public async Task An_organization_above_the_survivor_with_another_between_cannot_be_merged_into_it()
    {
        var top = await NewOrganizationAsync(NewName("Top"));
        var middle = await NewOrganizationAsync(NewName("Middle"), top.Id());
        var bottom = await NewOrganizationAsync(NewName("Bottom"), middle.Id());
        (await MergeAsync("organizations", bottom, new { survivorId = bottom.Id(), mergedIds = new[] { top.Id() } })).AssertProblem(HttpStatusCode.UnprocessableEntity);

        // The direct parent is fine: the survivor takes its place.
        var answer = await MergeAsync("organizations", middle, new { survivorId = middle.Id(), mergedIds = new[] { top.Id() } });
        Assert.Equal(HttpStatusCode.Created, answer.Status);
        Assert.Equal(JsonValueKind.Null, (await GetAsync($"/api/v1/organizations/{middle.Id()}")).GetProperty("parentOrganizationId").ValueKind);
    }

    [Fact]
    public async Task Only_managers_merge_and_undo_and_another_tenant_sees_nothing()
    {
        var last = NewName("Lovelace");
        var survivor = await NewPersonAsync("Ada", last);
        var merged = await NewPersonAsync("Ada", last);
        var body = new { survivorId = survivor.Id(), mergedIds = new[] { merged.Id() } };
        (await MergeAsync("people", survivor, body, await ClientAsync(Roles.SalesRep))).AssertProblem(HttpStatusCode.Forbidden);
        (await MergeAsync("people", survivor, body, await ClientAsync(Roles.Marketing))).AssertProblem(HttpStatusCode.Forbidden);

        var otherTenant = await ClientAsync(Roles.Admin, Guid.NewGuid());
        (await MergeAsync("people", survivor, body, otherTenant)).AssertProblem(HttpStatusCode.UnprocessableEntity);
        var merge = (await MergeAsync("people", survivor, body)).Body;
        (await otherTenant.GetJsonAsync($"/api/v1/merges/{merge.Id()}")).AssertProblem(HttpStatusCode.NotFound);
        (await otherTenant.PostJsonAsync($"/api/v1/merges/{merge.Id()}/undo", new { })).AssertProblem(HttpStatusCode.NotFound);
        var gone = await otherTenant.GetJsonAsync($"/api/v1/people/{merged.Id()}");
        gone.AssertProblem(HttpStatusCode.NotFound);
        Assert.False(gone.Body.TryGetProperty("mergedIntoId", out _));

        (await (await ClientAsync(Roles.ReadOnly)).PostJsonAsync($"/api/v1/merges/{merge.Id()}/undo", new { })).AssertProblem(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.OK, (await (await ClientAsync(Roles.ReadOnly)).GetJsonAsync($"/api/v1/merges/{merge.Id()}")).Status);
    }
}
