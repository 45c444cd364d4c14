using System.Net;
using System.Text.Json;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Tests.Contacts;

/// <summary>An organization's domain, industry, size, addresses, tags and owner.</summary>
public sealed class OrganizationDetailsTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _client = fixture.Platform.ClientFor(fixture.Platform.Contacts);
    private PlatformServices Platform => fixture.Platform;

    [Fact]
    public async Task Size_addresses_tags_and_owner_are_kept_normalized_and_in_the_event()
    {
        var created = await _client.PostJsonAsync("/api/v1/organizations", new
        {
            name = "Globex",
            domain = "Globex.com",
            industry = " Energy ",
            size = "1001-5000",
            addresses = new[] { new { type = "billing", street = "1 Main St", city = "Springfield", country = "us" } },
            tags = new[] { "Partner", " partner ", "Key Account" },
            ownerId = "user-9",
        });

        Assert.Equal(HttpStatusCode.Created, created.Status);
        var body = created.Body;
        Assert.Equal("globex.com", body.Str("domain"));
        Assert.Equal("Energy", body.Str("industry"));
        Assert.Equal("1001-5000", body.Str("size"));
        Assert.Equal("US", body.GetProperty("addresses")[0].Str("country"));
        Assert.Equal("billing", body.GetProperty("addresses")[0].Str("type"));
        Assert.Equal(["key account", "partner"], body.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("user-9", body.Str("ownerId"));

        var payload = await PlatformServices.QueryAsync(Platform.Contacts, db => db.OutboxMessages
            .Where(m => EF.Functions.JsonContains(m.Payload, $"{{\"aggregateId\":\"{body.Id()}\"}}")).Select(m => m.Payload).SingleAsync());
        var organization = JsonDocument.Parse(payload).RootElement.GetProperty("organization");
        Assert.Equal("1001-5000", organization.Str("size"));
        Assert.Equal("Springfield", organization.GetProperty("addresses")[0].Str("city"));
        Assert.Equal("partner", organization.GetProperty("tags")[1].GetString());
        Assert.Equal("user-9", organization.Str("ownerId"));

        // A PUT without ownerId keeps the owner; other fields are replaced.
        var updated = await _client.PutJsonAsync($"/api/v1/organizations/{body.Id()}", new { name = "Globex" }, body.ETag());
        Assert.Equal("user-9", updated.Body.Str("ownerId"));
        Assert.Empty(updated.Body.GetProperty("tags").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, updated.Body.GetProperty("size").ValueKind);
    }

    [Fact]
    public async Task Invalid_size_addresses_and_tags_answer_400_naming_the_field()
    {
        var answer = await _client.PostJsonAsync("/api/v1/organizations", new
        {
            name = "Bad",
            size = "huge",
            addresses = new[] { new { city = "Atlantis", country = "AA" } },
            tags = new[] { "" },
        });

        answer.AssertProblem(HttpStatusCode.BadRequest);
        var errors = answer.Body.GetProperty("errors");
        Assert.True(errors.TryGetProperty("size", out _));
        Assert.True(errors.TryGetProperty("addresses[0].country", out _));
        Assert.True(errors.TryGetProperty("tags[0]", out _));
    }

    [Fact]
    public async Task Organizations_filter_by_size_tag_and_owner_and_sort_by_size()
    {
        var marker = $"size-{Guid.NewGuid():N}";
        var sizes = new[] { "10001+", "1-10", (string?)null, "201-500" };
        foreach (var size in sizes)
        {
            Assert.Equal(HttpStatusCode.Created, (await _client.PostJsonAsync("/api/v1/organizations", new { name = $"Org {size}", size, tags = new[] { marker } })).Status);
        }

        var bySize = await _client.GetJsonAsync($"/api/v1/organizations?filter[tag]={marker}&sort=size&limit=1");
        var walked = new List<JsonElement>(bySize.Body.GetProperty("items").EnumerateArray());
        var cursor = bySize.Body.GetProperty("nextCursor").GetString();
        while (cursor is not null)
        {
            var page = await _client.GetJsonAsync($"/api/v1/organizations?filter[tag]={marker}&sort=size&limit=1&cursor={cursor}");
            walked.AddRange(page.Body.GetProperty("items").EnumerateArray());
            cursor = page.Body.GetProperty("nextCursor").GetString();
        }
        Assert.Equal([null, "1-10", "201-500", "10001+"], walked.Select(o => o.GetProperty("size").GetString()));

        var small = await _client.GetJsonAsync($"/api/v1/organizations?filter[tag]={marker}&filter[size]=1-10");
        Assert.Equal(["1-10"], small.Body.GetProperty("items").EnumerateArray().Select(o => o.Str("size")));
        (await _client.GetJsonAsync("/api/v1/organizations?filter[size]=enormous")).AssertProblem(HttpStatusCode.BadRequest);
    }
}
