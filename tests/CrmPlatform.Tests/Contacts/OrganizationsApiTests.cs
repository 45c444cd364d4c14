using System.Net;
using CrmPlatform.Tests.Infrastructure;

namespace CrmPlatform.Tests.Contacts;

public sealed class OrganizationsApiTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _client = fixture.Platform.ClientFor(fixture.Platform.Contacts);

    [Fact]
    public async Task Create_read_update_delete()
    {
        var created = await _client.PostJsonAsync("/api/v1/organizations", new { name = " Acme ", domain = "Acme.COM", industry = "Manufacturing" });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var id = created.Body.Id();
        Assert.Equal($"/api/v1/organizations/{id}", created.Response.Headers.Location?.ToString());
        Assert.Equal("Acme", created.Body.Str("name"));
        Assert.Equal("acme.com", created.Body.Str("domain"));

        var updated = await _client.PutJsonAsync($"/api/v1/organizations/{id}", new { name = "Acme Corp", domain = "acme.com" }, created.Body.ETag());
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        Assert.Equal(2, updated.Body.GetProperty("version").GetInt32());
        Assert.Equal("Acme Corp", (await _client.GetJsonAsync($"/api/v1/organizations/{id}")).Body.Str("name"));

        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteJsonAsync($"/api/v1/organizations/{id}", updated.Body.ETag())).Status);
        (await _client.GetJsonAsync($"/api/v1/organizations/{id}")).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Invalid_organization_answers_400_with_field_errors()
    {
        var answer = await _client.PostJsonAsync("/api/v1/organizations", new { name = "  ", domain = "not a domain" });
        answer.AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty("name", out _));
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty("domain", out _));
    }

    [Fact]
    public async Task Hierarchy_rejects_unknown_parents_and_cycles()
    {
        (await _client.PostJsonAsync("/api/v1/organizations", new { name = "Orphan", parentOrganizationId = Guid.CreateVersion7() }))
            .AssertProblem(HttpStatusCode.UnprocessableEntity);

        var parent = (await _client.PostJsonAsync("/api/v1/organizations", new { name = "Parent" })).Body.Id();
        var child = (await _client.PostJsonAsync("/api/v1/organizations", new { name = "Child", parentOrganizationId = parent })).Body.Id();

        var cycle = await _client.PutJsonAsync($"/api/v1/organizations/{parent}", new { name = "Parent", parentOrganizationId = child }, Api.AnyVersion);
        cycle.AssertProblem(HttpStatusCode.UnprocessableEntity);
        var self = await _client.PutJsonAsync($"/api/v1/organizations/{parent}", new { name = "Parent", parentOrganizationId = parent }, Api.AnyVersion);
        self.AssertProblem(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Deleting_an_organization_that_still_has_people_or_subsidiaries_answers_409()
    {
        var organization = (await _client.PostJsonAsync("/api/v1/organizations", new { name = "Busy" })).Body.Id();
        var person = (await _client.PostJsonAsync("/api/v1/people", Api.NewPerson(organizationId: organization))).Body;

        var blocked = await _client.DeleteJsonAsync($"/api/v1/organizations/{organization}", Api.AnyVersion);
        blocked.AssertProblem(HttpStatusCode.Conflict);
        Assert.Equal(1, blocked.Body.GetProperty("people").GetInt32());

        await _client.DeleteJsonAsync($"/api/v1/people/{person.Id()}", person.ETag());
        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteJsonAsync($"/api/v1/organizations/{organization}", Api.AnyVersion)).Status);
    }
}
