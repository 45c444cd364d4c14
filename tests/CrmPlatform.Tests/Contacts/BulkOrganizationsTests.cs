using System.Net;
using System.Text.Json;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Tests.Contacts;

/// <summary>POST /api/v1/organizations/bulk: many creates and updates in one request, answered per item.</summary>
public sealed class BulkOrganizationsTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private const string Url = "/api/v1/organizations/bulk";
    private readonly HttpClient _client = fixture.Platform.ClientFor(fixture.Platform.Contacts);
    private PlatformServices Platform => fixture.Platform;

    /// <summary>A name and domain no one else has, so that the likely-duplicate rules stay out of the way unless a test wants them.</summary>
    private static string NewName() => "Org " + string.Concat(Guid.NewGuid().ToString("N")[..12].Select(c => (char)('a' + c % 26)));

    private static string NewDomain() => $"{Guid.NewGuid():N}.example";

    private Task<int> EventCountAsync(Guid id, string type) => PlatformServices.QueryAsync(Platform.Contacts, db => db.OutboxMessages
        .CountAsync(m => m.EventType.Contains(type) && EF.Functions.JsonContains(m.Payload, $"{{\"aggregateId\":\"{id}\"}}")));

    private static List<JsonElement> Results(ApiAnswer answer)
    {
        Assert.True(answer.Status == HttpStatusCode.OK, $"Expected 200, got {(int)answer.Status}: {answer.Body}");
        return [.. answer.Body.GetProperty("results").EnumerateArray()];
    }

    private static int Status(JsonElement result) => result.GetProperty("status").GetInt32();

    private Task<JsonElement> CreateAsync(string name, string? domain = null, Guid? parent = null, bool allowDuplicates = false) =>
        _client.PostJsonAsync($"/api/v1/organizations?allowDuplicates={allowDuplicates}", new { name, domain, parentOrganizationId = parent }).CreatedAsync();

    [Fact]
    public async Task A_mixed_batch_creates_updates_and_answers_each_item()
    {
        var byDomain = await CreateAsync(NewName(), NewDomain());
        var byId = await CreateAsync(NewName());
        var externalId = Guid.NewGuid().ToString("N");
        var byExternal = await _client.PutJsonAsync($"/api/v1/organizations/by-external-id/erp/{externalId}", new { name = NewName() }, null);
        Assert.Equal(HttpStatusCode.Created, byExternal.Status);
        var shared = NewDomain();
        await CreateAsync(NewName(), shared);
        await CreateAsync(NewName(), shared, allowDuplicates: true);
        var lookalike = await CreateAsync("Kaltenbrunner Maschinenbau GmbH", NewDomain());
        var newDomain = NewDomain();
        var newExternal = Guid.NewGuid().ToString("N");

        var answer = await _client.PostJsonAsync(Url, new
        {
            items = new object[]
            {
                new { name = NewName(), domain = newDomain, industry = "Machinery" },
                new { name = "Renamed by domain", domain = byDomain.Str("domain") },
                new { id = byId.Id(), name = "Renamed by id" },
                new { externalId = new { system = "ERP", value = externalId }, name = "Renamed by external id" },
                new { name = "", domain = "not a domain" },
                new { name = NewName(), domain = newDomain },
                new { externalId = new { system = "erp", value = newExternal }, name = NewName() },
                new { id = Guid.CreateVersion7(), name = NewName() },
                new { name = NewName(), domain = shared },
                new { externalId = new { system = "crm", value = newExternal }, name = "Kaltenbrunner Maschinenbau AG", domain = lookalike.Str("domain") },
                new { matchBy = "domain", name = NewName() },
            },
        });

        var results = Results(answer);
        Assert.Equal([201, 200, 200, 200, 400, 409, 201, 404, 409, 409, 400], results.Select(Status));
        Assert.Equal((2, 3, 6), (answer.Body.GetProperty("created").GetInt32(), answer.Body.GetProperty("updated").GetInt32(), answer.Body.GetProperty("failed").GetInt32()));
        Assert.Equal(byDomain.Id(), results[1].Id());
        Assert.Equal(byId.Id(), results[2].Id());
        Assert.Equal(byExternal.Body.Id(), results[3].Id());
        var invalid = results[4].GetProperty("problem").GetProperty("errors");
        Assert.True(invalid.TryGetProperty("name", out _) && invalid.TryGetProperty("domain", out _), invalid.GetRawText());
        Assert.Contains("Item 0", results[5].GetProperty("problem").Str("detail"));
        Assert.Contains("2 organizations have the domain", results[8].GetProperty("problem").Str("detail"));
        Assert.Contains(lookalike.Id().ToString(), results[9].GetProperty("problem").Str("detail"));
        Assert.True(results[10].GetProperty("problem").GetProperty("errors").TryGetProperty("domain", out _));

        var created = (await _client.GetJsonAsync($"/api/v1/organizations/{results[0].Id()}")).Body;
        Assert.Equal(("Machinery", newDomain), (created.Str("industry"), created.Str("domain")));
        Assert.Equal("Renamed by domain", (await _client.GetJsonAsync($"/api/v1/organizations/{byDomain.Id()}")).Body.Str("name"));
        Assert.Equal("Renamed by id", (await _client.GetJsonAsync($"/api/v1/organizations/{byId.Id()}")).Body.Str("name"));
        Assert.Equal("Renamed by external id", (await _client.GetJsonAsync($"/api/v1/organizations/by-external-id/erp/{externalId}")).Body.Str("name"));
        Assert.Equal(results[6].Id(), (await _client.GetJsonAsync($"/api/v1/organizations/by-external-id/erp/{newExternal}")).Body.Id());

        Assert.Equal(1, await EventCountAsync(results[0].Id(), "OrganizationCreated"));
        Assert.Equal(1, await EventCountAsync(byDomain.Id(), "OrganizationUpdated"));
        Assert.Equal(1, await EventCountAsync(byId.Id(), "OrganizationUpdated"));
        Assert.Equal(1, await EventCountAsync(results[6].Id(), "OrganizationCreated"));
        Assert.Equal(0, await PlatformServices.QueryAsync(Platform.Contacts, db => db.Organizations.CountAsync(o => o.Name == "Kaltenbrunner Maschinenbau AG")));
    }

    [Fact]
    public async Task Parents_must_exist_and_moves_in_one_request_cannot_make_a_cycle()
    {
        var a = await CreateAsync(NewName());
        var b = await CreateAsync(NewName());
        var c = await CreateAsync(NewName(), parent: b.Id());

        var answer = await _client.PostJsonAsync(Url, new
        {
            items = new object[]
            {
                new { id = b.Id(), name = b.Str("name"), parentOrganizationId = a.Id() },
                new { id = a.Id(), name = a.Str("name"), parentOrganizationId = c.Id() },
                new { name = NewName(), parentOrganizationId = Guid.CreateVersion7() },
                new { name = NewName(), parentOrganizationId = c.Id() },
            },
        });

        var results = Results(answer);
        Assert.Equal([200, 422, 422, 201], results.Select(Status));
        Assert.Equal(a.Id(), (await _client.GetJsonAsync($"/api/v1/organizations/{b.Id()}")).Body.GetProperty("parentOrganizationId").GetGuid());
        Assert.Equal(JsonValueKind.Null, (await _client.GetJsonAsync($"/api/v1/organizations/{a.Id()}")).Body.GetProperty("parentOrganizationId").ValueKind);
        Assert.Equal(c.Id(), (await _client.GetJsonAsync($"/api/v1/organizations/{results[3].Id()}")).Body.GetProperty("parentOrganizationId").GetGuid());
    }

    [Fact]
    public async Task A_retry_with_the_same_idempotency_key_writes_nothing_again()
    {
        var name = NewName();
        var client = Platform.ClientFor(Platform.Contacts);
        client.DefaultRequestHeaders.Add("Idempotency-Key", Guid.NewGuid().ToString());

        var first = await client.PostJsonAsync(Url, new { items = new[] { new { name } } });
        var retry = await client.PostJsonAsync(Url, new { items = new[] { new { name } } });

        Assert.Equal(201, Status(Assert.Single(Results(first))));
        Assert.Equal(first.Body.GetRawText(), retry.Body.GetRawText());
        Assert.Equal(1, await PlatformServices.QueryAsync(Platform.Contacts, db => db.Organizations.CountAsync(o => o.Name == name)));
    }

    [Fact]
    public async Task Another_tenants_organization_is_neither_found_nor_matched_nor_changed()
    {
        var (_, otherToken) = await Platform.Identity.NewTenantAsync();
        var other = Platform.ClientFor(Platform.Contacts, otherToken);
        var domain = NewDomain();
        var theirs = await other.PostJsonAsync("/api/v1/organizations", new { name = "Theirs", domain }).CreatedAsync();

        var results = Results(await _client.PostJsonAsync(Url, new
        {
            items = new object[] { new { id = theirs.Id(), name = "Mine" }, new { name = "Mine too", domain } },
        }));

        Assert.Equal([404, 201], results.Select(Status));
        Assert.NotEqual(theirs.Id(), results[1].Id());
        Assert.Equal("Theirs", (await other.GetJsonAsync($"/api/v1/organizations/{theirs.Id()}")).Body.Str("name"));
    }

    [Fact]
    public async Task A_role_that_may_not_write_organizations_is_refused_and_limits_hold()
    {
        var readOnly = Platform.ClientFor(Platform.Contacts, await Platform.Identity.NewClientTokenAsync(TenantContext.DefaultTenantId, Roles.ReadOnly));
        var name = NewName();

        (await readOnly.PostJsonAsync(Url, new { items = new[] { new { name } } })).AssertProblem(HttpStatusCode.Forbidden);
        (await _client.PostJsonAsync(Url, new { items = Enumerable.Range(0, 1001).Select(_ => new { name }) })).AssertProblem(HttpStatusCode.BadRequest);
        (await _client.PostJsonAsync(Url, new { items = Array.Empty<object>() })).AssertProblem(HttpStatusCode.BadRequest);
        Assert.Equal(0, await PlatformServices.QueryAsync(Platform.Contacts, db => db.Organizations.CountAsync(o => o.Name == name)));
    }

    [Fact]
    public async Task A_thousand_organizations_are_created_then_updated_by_domain()
    {
        var organizations = Enumerable.Range(0, 1000).Select(i => new { name = NewName(), domain = NewDomain(), industry = "Retail" }).ToList();

        var created = await _client.PostJsonAsync(Url, new { items = organizations });
        var updated = await _client.PostJsonAsync(Url, new { items = organizations.Select(o => o with { industry = "Wholesale" }) });

        Assert.Equal(1000, created.Body.GetProperty("created").GetInt32());
        Assert.Equal(1000, updated.Body.GetProperty("updated").GetInt32());
        Assert.Equal(Results(created).Select(r => r.Id()), Results(updated).Select(r => r.Id()));
        var domains = organizations.Select(o => o.domain).ToList();
        Assert.Equal(1000, await PlatformServices.QueryAsync(Platform.Contacts, db => db.Organizations.CountAsync(o => domains.Contains(o.Domain!) && o.Industry == "Wholesale")));
    }
}
