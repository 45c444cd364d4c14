using System.Net;
using System.Text.Json;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Tests.Contacts;

/// <summary>People's roles at organizations and links between people.</summary>
public sealed class RelationshipsTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _client = fixture.Platform.ClientFor(fixture.Platform.Contacts);
    private PlatformServices Platform => fixture.Platform;

    private async Task<Guid> PersonAsync(string firstName = "Ada", string? ownerId = null)
    {
        var answer = await _client.PostJsonAsync("/api/v1/people", new { firstName, lastName = "Test", email = $"{Guid.NewGuid():N}@example.com", ownerId });
        Assert.Equal(HttpStatusCode.Created, answer.Status);
        return answer.Body.Id();
    }

    private async Task<Guid> OrganizationAsync(string name = "Acme", string? ownerId = null)
    {
        var answer = await _client.PostJsonAsync("/api/v1/organizations", new { name, ownerId });
        Assert.Equal(HttpStatusCode.Created, answer.Status);
        return answer.Body.Id();
    }

    private static List<JsonElement> Items(ApiAnswer answer)
    {
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        return [.. answer.Body.GetProperty("items").EnumerateArray()];
    }

    [Fact]
    public async Task Affiliations_are_created_read_updated_and_deleted_under_the_person()
    {
        var person = await PersonAsync();
        var organization = await OrganizationAsync();
        var url = $"/api/v1/people/{person}/affiliations";

        var created = await _client.PostJsonAsync(url, new
        {
            organizationId = organization, title = " CTO ", roles = new[] { "champion", "Decision-Maker", "champion" }, startedOn = "2024-01-15",
        });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var id = created.Body.Id();
        Assert.Equal($"{url}/{id}", created.Response.Headers.Location?.ToString());
        Assert.Equal("\"1\"", created.Response.Headers.ETag?.ToString());
        Assert.Equal("CTO", created.Body.Str("title"));
        Assert.Equal(["decision-maker", "champion"], created.Body.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("2024-01-15", created.Body.Str("startedOn"));

        var read = await _client.GetJsonAsync($"{url}/{id}");
        Assert.Equal(organization, read.Body.GetProperty("organizationId").GetGuid());

        var ended = new { organizationId = organization, title = "CTO", roles = new[] { "user" }, startedOn = "2024-01-15", endedOn = "2025-06-30" };
        (await _client.PutJsonAsync($"{url}/{id}", ended, null)).AssertProblem(HttpStatusCode.PreconditionRequired);
        var updated = await _client.PutJsonAsync($"{url}/{id}", ended, created.Body.ETag());
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        Assert.Equal(2, updated.Body.GetProperty("version").GetInt32());
        Assert.Equal("2025-06-30", updated.Body.Str("endedOn"));
        (await _client.PutJsonAsync($"{url}/{id}", ended, created.Body.ETag())).AssertProblem(HttpStatusCode.PreconditionFailed);

        var audit = await _client.GetJsonAsync($"/api/v1/audit?entityType=affiliation&entityId={id}");
        Assert.Equal(["created", "updated"], Items(audit).Select(e => e.Str("action")));

        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteJsonAsync($"{url}/{id}", updated.Body.ETag())).Status);
        (await _client.GetJsonAsync($"{url}/{id}")).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_person_holds_several_roles_which_their_organizations_list_too()
    {
        var person = await PersonAsync();
        var colleague = await PersonAsync("Grace");
        var first = await OrganizationAsync("First");
        var second = await OrganizationAsync("Second");
        await _client.PostJsonAsync($"/api/v1/people/{person}/affiliations", new { organizationId = first, roles = new[] { "decision-maker" } });
        await _client.PostJsonAsync($"/api/v1/people/{person}/affiliations", new { organizationId = second, roles = new[] { "influencer" } });
        await _client.PostJsonAsync($"/api/v1/people/{colleague}/affiliations", new { organizationId = first, roles = new[] { "user" } });

        Assert.Equal(2, Items(await _client.GetJsonAsync($"/api/v1/people/{person}/affiliations")).Count);
        var atFirst = Items(await _client.GetJsonAsync($"/api/v1/organizations/{first}/affiliations"));
        Assert.Equal([person, colleague], atFirst.Select(a => a.GetProperty("personId").GetGuid()));
        var deciders = Items(await _client.GetJsonAsync($"/api/v1/organizations/{first}/affiliations?filter[role]=decision-maker"));
        Assert.Equal([person], deciders.Select(a => a.GetProperty("personId").GetGuid()));
    }

    [Fact]
    public async Task Invalid_affiliations_answer_400_unknown_organizations_422_and_unknown_people_404()
    {
        var person = await PersonAsync();
        var organization = await OrganizationAsync();
        var url = $"/api/v1/people/{person}/affiliations";

        var unknownOrganization = await _client.PostJsonAsync(url, new { organizationId = Guid.CreateVersion7() });
        unknownOrganization.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.True(unknownOrganization.Body.GetProperty("errors").TryGetProperty("organizationId", out _));

        var invalid = await _client.PostJsonAsync(url, new { roles = new[] { "boss" }, startedOn = "2025-01-01", endedOn = "2024-01-01" });
        invalid.AssertProblem(HttpStatusCode.BadRequest);
        foreach (var field in new[] { "organizationId", "roles[0]", "endedOn" })
        {
            Assert.True(invalid.Body.GetProperty("errors").TryGetProperty(field, out _), field);
        }

        (await _client.PostJsonAsync($"/api/v1/people/{Guid.CreateVersion7()}/affiliations", new { organizationId = organization }))
            .AssertProblem(HttpStatusCode.NotFound);
        (await _client.GetJsonAsync($"/api/v1/organizations/{Guid.CreateVersion7()}/affiliations")).AssertProblem(HttpStatusCode.NotFound);
        Assert.Empty(Items(await _client.GetJsonAsync(url)));
    }

    [Fact]
    public async Task An_organization_people_hold_roles_at_cannot_be_deleted_and_a_deleted_person_takes_their_relationships()
    {
        var person = await PersonAsync();
        var other = await PersonAsync("Grace");
        var organization = await OrganizationAsync();
        await _client.PostJsonAsync($"/api/v1/people/{person}/affiliations", new { organizationId = organization });
        await _client.PostJsonAsync($"/api/v1/people/{person}/links", new { relatedPersonId = other, type = "colleague" });

        var blocked = await _client.DeleteJsonAsync($"/api/v1/organizations/{organization}", Api.AnyVersion);
        blocked.AssertProblem(HttpStatusCode.Conflict);
        Assert.Equal(1, blocked.Body.GetProperty("affiliations").GetInt32());

        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteJsonAsync($"/api/v1/people/{person}", Api.AnyVersion)).Status);
        Assert.Empty(Items(await _client.GetJsonAsync($"/api/v1/people/{other}/links")));
        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteJsonAsync($"/api/v1/organizations/{organization}", Api.AnyVersion)).Status);
    }

    [Fact]
    public async Task A_link_is_seen_from_both_people_each_reading_it_from_their_side()
    {
        var report = await PersonAsync("Report");
        var manager = await PersonAsync("Manager");
        var assistant = await PersonAsync("Assistant");

        var created = await _client.PostJsonAsync($"/api/v1/people/{report}/links", new { relatedPersonId = manager, type = "reports-to", note = "since 2024" });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal("reports-to", created.Body.Str("type"));
        // Written from the manager's side as the inverse, stored as assistant-of.
        var fromManager = await _client.PostJsonAsync($"/api/v1/people/{manager}/links", new { relatedPersonId = assistant, type = "has-assistant" });
        Assert.Equal(HttpStatusCode.Created, fromManager.Status);

        var reportLinks = Items(await _client.GetJsonAsync($"/api/v1/people/{report}/links"));
        Assert.Equal([("reports-to", manager)], reportLinks.Select(l => (l.Str("type"), l.GetProperty("relatedPersonId").GetGuid())));
        var managerLinks = Items(await _client.GetJsonAsync($"/api/v1/people/{manager}/links"));
        Assert.Equal([("manager-of", report), ("has-assistant", assistant)],
            managerLinks.Select(l => (l.Str("type"), l.GetProperty("relatedPersonId").GetGuid())));
        var assistantLinks = Items(await _client.GetJsonAsync($"/api/v1/people/{assistant}/links"));
        Assert.Equal([("assistant-of", manager)], assistantLinks.Select(l => (l.Str("type"), l.GetProperty("relatedPersonId").GetGuid())));

        // Edited and deleted from the other side.
        var id = created.Body.Id();
        var changed = await _client.PutJsonAsync($"/api/v1/people/{manager}/links/{id}", new { relatedPersonId = report, type = "colleague" }, created.Body.ETag());
        Assert.Equal(HttpStatusCode.OK, changed.Status);
        Assert.Equal("colleague", (await _client.GetJsonAsync($"/api/v1/people/{report}/links/{id}")).Body.Str("type"));
        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteJsonAsync($"/api/v1/people/{report}/links/{id}", changed.Body.ETag())).Status);
        Assert.Single(Items(await _client.GetJsonAsync($"/api/v1/people/{manager}/links")));
    }

    [Fact]
    public async Task Self_links_answer_400_unknown_people_422_and_the_same_link_twice_409()
    {
        var person = await PersonAsync();
        var spouse = await PersonAsync("Spouse");
        var url = $"/api/v1/people/{person}/links";

        var self = await _client.PostJsonAsync(url, new { relatedPersonId = person, type = "colleague" });
        self.AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(self.Body.GetProperty("errors").TryGetProperty("relatedPersonId", out _));
        var badType = await _client.PostJsonAsync(url, new { relatedPersonId = spouse, type = "rival" });
        Assert.True(badType.Body.GetProperty("errors").TryGetProperty("type", out _));
        var unknown = await _client.PostJsonAsync(url, new { relatedPersonId = Guid.CreateVersion7(), type = "spouse" });
        unknown.AssertProblem(HttpStatusCode.UnprocessableEntity);

        Assert.Equal(HttpStatusCode.Created, (await _client.PostJsonAsync(url, new { relatedPersonId = spouse, type = "spouse" })).Status);
        (await _client.PostJsonAsync(url, new { relatedPersonId = spouse, type = "spouse" })).AssertProblem(HttpStatusCode.Conflict);
        // Symmetric kinds are one link whichever side writes them.
        (await _client.PostJsonAsync($"/api/v1/people/{spouse}/links", new { relatedPersonId = person, type = "spouse" })).AssertProblem(HttpStatusCode.Conflict);
        Assert.Equal(1, await PlatformServices.QueryAsync(Platform.Contacts, db => db.PersonLinks.CountAsync(l => l.PersonId == person || l.RelatedPersonId == person)));

        // The database refuses a self link whatever writes it.
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => PlatformServices.QueryAsync(Platform.Contacts, db => db.Database.ExecuteSqlAsync($"""
            INSERT INTO person_links (id, tenant_id, person_id, related_person_id, type, created_at, updated_at, version)
            VALUES ({Guid.CreateVersion7()}, {TenantContext.DefaultTenantId}, {person}, {person}, 'colleague', now(), now(), 1)
            """)));
    }

    [Fact]
    public async Task Relationships_of_people_outside_the_callers_scope_stay_hidden()
    {
        const string rep = "rep-relationships";
        var mine = await PersonAsync("Mine", ownerId: rep);
        var theirs = await PersonAsync("Theirs");
        var organization = await OrganizationAsync(ownerId: rep);
        await _client.PostJsonAsync($"/api/v1/people/{mine}/links", new { relatedPersonId = theirs, type = "colleague" });
        await _client.PostJsonAsync($"/api/v1/people/{mine}/affiliations", new { organizationId = organization });
        await _client.PostJsonAsync($"/api/v1/people/{theirs}/affiliations", new { organizationId = organization });
        var repClient = Platform.ClientFor(Platform.Contacts, await Platform.Identity.SignedTokenAsync(rep, TenantContext.DefaultTenantId, Roles.SalesRep));

        Assert.Empty(Items(await repClient.GetJsonAsync($"/api/v1/people/{mine}/links")));
        (await repClient.GetJsonAsync($"/api/v1/people/{theirs}/affiliations")).AssertProblem(HttpStatusCode.NotFound);
        (await repClient.PostJsonAsync($"/api/v1/people/{mine}/links", new { relatedPersonId = theirs, type = "spouse" })).AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(2, Items(await _client.GetJsonAsync($"/api/v1/organizations/{organization}/affiliations")).Count);
        Assert.Equal([mine], Items(await repClient.GetJsonAsync($"/api/v1/organizations/{organization}/affiliations")).Select(a => a.GetProperty("personId").GetGuid()));
    }
}
