using System.Net;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Tests.Contacts;

/// <summary>Create-or-update by another system's id.</summary>
public sealed class ExternalIdsTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _client = fixture.Platform.ClientFor(fixture.Platform.Contacts);
    private PlatformServices Platform => fixture.Platform;

    private static string NewExternalId() => $"003{Guid.NewGuid():N}"[..18];

    private static object Person(string email, string lastName = "Synced") => new { firstName = "Ext", lastName, email };

    private Task<int> EventCountAsync(Guid id) => PlatformServices.QueryAsync(Platform.Contacts, db => db.OutboxMessages
        .CountAsync(m => EF.Functions.JsonContains(m.Payload, $"{{\"aggregateId\":\"{id}\"}}")));

    [Fact]
    public async Task Upsert_creates_then_updates_and_repeating_it_changes_nothing()
    {
        var url = $"/api/v1/people/by-external-id/salesforce/{NewExternalId()}";
        var email = $"{Guid.NewGuid():N}@example.com";

        var created = await _client.PutJsonAsync(url, Person(email), null);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var id = created.Body.Id();
        Assert.Equal($"/api/v1/people/{id}", created.Response.Headers.Location?.ToString());
        Assert.Equal("\"1\"", created.Response.Headers.ETag?.ToString());

        var again = await _client.PutJsonAsync(url, Person(email), null);
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal(id, again.Body.Id());
        Assert.Equal(1, again.Body.GetProperty("version").GetInt32());

        var changed = await _client.PutJsonAsync(url, Person(email, lastName: "Renamed"), null);
        Assert.Equal(HttpStatusCode.OK, changed.Status);
        Assert.Equal(2, changed.Body.GetProperty("version").GetInt32());

        var read = await _client.GetJsonAsync(url);
        Assert.Equal((id, "Renamed"), (read.Body.Id(), read.Body.Str("lastName")));
        Assert.Equal("Renamed", (await _client.GetJsonAsync($"/api/v1/people/{id}")).Body.Str("lastName"));
        Assert.Equal(2, await EventCountAsync(id));
    }

    [Fact]
    public async Task External_ids_are_unique_per_tenant_and_source()
    {
        var externalId = NewExternalId();
        var salesforce = await _client.PutJsonAsync($"/api/v1/people/by-external-id/salesforce/{externalId}", Person($"{Guid.NewGuid():N}@example.com"), null);
        var erp = await _client.PutJsonAsync($"/api/v1/people/by-external-id/ERP/{externalId}", Person($"{Guid.NewGuid():N}@example.com"), null);
        var (_, otherToken) = await Platform.Identity.NewTenantAsync();
        var other = Platform.ClientFor(Platform.Contacts, otherToken);
        var theirs = await other.PutJsonAsync($"/api/v1/people/by-external-id/salesforce/{externalId}", Person($"{Guid.NewGuid():N}@example.com"), null);

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created], new[] { salesforce.Status, erp.Status, theirs.Status });
        Assert.Equal(3, new[] { salesforce.Body.Id(), erp.Body.Id(), theirs.Body.Id() }.Distinct().Count());
        Assert.Equal(erp.Body.Id(), (await _client.GetJsonAsync($"/api/v1/people/by-external-id/erp/{externalId}")).Body.Id());
        (await other.GetJsonAsync($"/api/v1/people/by-external-id/erp/{externalId}")).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Concurrent_upserts_of_one_external_id_make_one_record()
    {
        var externalId = NewExternalId();
        var email = $"{Guid.NewGuid():N}@example.com";
        var clients = Enumerable.Range(0, 8).Select(_ => Platform.ClientFor(Platform.Contacts)).ToList();

        var answers = await Task.WhenAll(clients.Select(c => c.PutJsonAsync($"/api/v1/people/by-external-id/hubspot/{externalId}", Person(email), null)));

        Assert.Single(answers, a => a.Status == HttpStatusCode.Created);
        Assert.All(answers.Where(a => a.Status != HttpStatusCode.Created), a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Single(answers.Select(a => a.Body.Id()).Distinct());
        Assert.Equal(1, await PlatformServices.QueryAsync(Platform.Contacts, db => db.People.CountAsync(p => p.NormalizedEmail == email)));
        Assert.Equal(1, await PlatformServices.QueryAsync(Platform.Contacts, db => db.PersonExternalIds.CountAsync(e => e.ExternalId == externalId)));
    }

    [Fact]
    public async Task Preconditions_are_optional_but_hold_when_given()
    {
        var url = $"/api/v1/people/by-external-id/salesforce/{NewExternalId()}";
        var email = $"{Guid.NewGuid():N}@example.com";

        (await _client.PutJsonAsync(url, Person(email), "\"1\"")).AssertProblem(HttpStatusCode.PreconditionFailed);
        var created = await _client.PutJsonAsync(url, Person(email), null);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        await _client.PutJsonAsync(url, Person(email, "Second"), "\"1\"");

        (await _client.PutJsonAsync(url, Person(email, "Third"), "\"1\"")).AssertProblem(HttpStatusCode.PreconditionFailed);
        using var createOnly = new HttpRequestMessage(HttpMethod.Put, url) { Content = System.Net.Http.Json.JsonContent.Create(Person(email)) };
        createOnly.Headers.TryAddWithoutValidation("If-None-Match", "*");
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await _client.SendAsync(createOnly)).StatusCode);
        Assert.Equal("Second", (await _client.GetJsonAsync(url)).Body.Str("lastName"));
    }

    [Fact]
    public async Task Invalid_ids_and_bodies_answer_400_and_a_taken_email_409_without_a_mapping()
    {
        var bad = await _client.PutJsonAsync("/api/v1/people/by-external-id/sales%20force/1", Person($"{Guid.NewGuid():N}@example.com"), null);
        bad.AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(bad.Body.GetProperty("errors").TryGetProperty("source", out _));
        (await _client.PutJsonAsync($"/api/v1/people/by-external-id/erp/{NewExternalId()}", new { firstName = "" }, null)).AssertProblem(HttpStatusCode.BadRequest);

        var taken = (await _client.PostJsonAsync("/api/v1/people", Api.NewPerson())).Body;
        var externalId = NewExternalId();
        var conflict = await _client.PutJsonAsync($"/api/v1/people/by-external-id/erp/{externalId}", Person(taken.Str("email")), null);
        conflict.AssertProblem(HttpStatusCode.Conflict);
        Assert.Equal(taken.Id(), conflict.Body.GetProperty("existingPerson").GetProperty("id").GetGuid());
        Assert.False(await PlatformServices.QueryAsync(Platform.Contacts, db => db.PersonExternalIds.AnyAsync(e => e.ExternalId == externalId)));
    }

    [Fact]
    public async Task Deleting_the_record_frees_its_external_id()
    {
        var url = $"/api/v1/people/by-external-id/salesforce/{NewExternalId()}";
        var first = await _client.PutJsonAsync(url, Person($"{Guid.NewGuid():N}@example.com"), null);
        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteJsonAsync($"/api/v1/people/{first.Body.Id()}", first.Body.ETag())).Status);

        (await _client.GetJsonAsync(url)).AssertProblem(HttpStatusCode.NotFound);
        var second = await _client.PutJsonAsync(url, Person($"{Guid.NewGuid():N}@example.com"), null);
        Assert.Equal(HttpStatusCode.Created, second.Status);
        Assert.NotEqual(first.Body.Id(), second.Body.Id());
    }

    [Fact]
    public async Task Organizations_upsert_the_same_way_and_keep_their_rules()
    {
        var url = $"/api/v1/organizations/by-external-id/erp/{NewExternalId()}";

        var created = await _client.PutJsonAsync(url, new { name = "Initech", size = "51-200" }, null);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var updated = await _client.PutJsonAsync(url, new { name = "Initech", size = "201-500" }, null);
        Assert.Equal((HttpStatusCode.OK, created.Body.Id(), "201-500"), (updated.Status, updated.Body.Id(), updated.Body.Str("size")));

        var parentless = await _client.PutJsonAsync(url, new { name = "Initech", parentOrganizationId = Guid.CreateVersion7() }, null);
        parentless.AssertProblem(HttpStatusCode.UnprocessableEntity);
        var self = await _client.PutJsonAsync(url, new { name = "Initech", parentOrganizationId = created.Body.Id() }, null);
        self.AssertProblem(HttpStatusCode.UnprocessableEntity);

        var readOnly = Platform.ClientFor(Platform.Contacts, await Platform.Identity.NewClientTokenAsync(TenantContext.DefaultTenantId, Roles.ReadOnly));
        (await readOnly.PutJsonAsync(url, new { name = "Initech" }, null)).AssertProblem(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.OK, (await readOnly.GetJsonAsync(url)).Status);
    }
}
