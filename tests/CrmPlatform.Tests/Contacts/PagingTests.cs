using System.Net;
using CrmPlatform.Tests.Infrastructure;

namespace CrmPlatform.Tests.Contacts;

public sealed class PagingTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _client = fixture.Platform.ClientFor(fixture.Platform.Contacts);

    [Fact]
    public async Task Walking_the_cursor_visits_every_organization_once_in_creation_order()
    {
        var created = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            created.Add((await _client.PostJsonAsync("/api/v1/organizations", new { name = $"Org {i}" })).Body.Id());
        }

        var seen = new List<Guid>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var url = "/api/v1/organizations?limit=3" + (cursor is null ? "" : $"&cursor={cursor}");
            var page = await _client.GetJsonAsync(url);
            Assert.Equal(HttpStatusCode.OK, page.Status);
            var items = page.Body.GetProperty("items").EnumerateArray().ToList();
            Assert.True(items.Count <= 3);
            seen.AddRange(items.Select(i => i.Id()));
            var next = page.Body.GetProperty("nextCursor");
            cursor = next.ValueKind == System.Text.Json.JsonValueKind.Null ? null : next.GetString();
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(created, seen.Where(created.Contains));
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task Default_limit_is_50()
    {
        for (var i = 0; i < 51; i++)
        {
            await _client.PostJsonAsync("/api/v1/people", Api.NewPerson());
        }
        var page = await _client.GetJsonAsync("/api/v1/people");
        Assert.Equal(50, page.Body.GetProperty("items").GetArrayLength());
        Assert.Equal(System.Text.Json.JsonValueKind.String, page.Body.GetProperty("nextCursor").ValueKind);
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=201")]
    [InlineData("cursor=not-a-cursor")]
    [InlineData("limit=abc")]
    public async Task Bad_paging_parameters_answer_400(string query)
    {
        (await _client.GetJsonAsync($"/api/v1/people?{query}")).AssertProblem(HttpStatusCode.BadRequest);
    }
}
