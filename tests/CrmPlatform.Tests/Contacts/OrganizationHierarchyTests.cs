using System.Net;
using System.Text.Json;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Tests.Contacts;

/// <summary>Parents and subsidiaries: queries both ways, and a hierarchy that never becomes a cycle.</summary>
public sealed class OrganizationHierarchyTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _client = fixture.Platform.ClientFor(fixture.Platform.Contacts);
    private PlatformServices Platform => fixture.Platform;

    private async Task<Guid> CreateAsync(string name, Guid? parent = null, string? ownerId = null, HttpClient? client = null)
    {
        var answer = await (client ?? _client).PostJsonAsync("/api/v1/organizations", new { name, parentOrganizationId = parent, ownerId });
        Assert.Equal(HttpStatusCode.Created, answer.Status);
        return answer.Body.Id();
    }

    private static List<(string Name, int Depth)> Nodes(JsonElement items) =>
        [.. items.EnumerateArray().Select(i => (i.GetProperty("organization").Str("name"), i.GetProperty("depth").GetInt32()))];

    [Fact]
    public async Task Subsidiaries_tree_and_ancestors_walk_the_hierarchy_both_ways()
    {
        var root = await CreateAsync("Root");
        var beta = await CreateAsync("Beta", root);
        var alpha = await CreateAsync("Alpha", root);
        var alphaTwo = await CreateAsync("Alpha Two", alpha);
        var alphaOne = await CreateAsync("Alpha One", alpha);
        var deepest = await CreateAsync("Deepest", alphaOne);

        var direct = await _client.GetJsonAsync($"/api/v1/organizations/{root}/subsidiaries?sort=name&limit=1");
        Assert.Equal(HttpStatusCode.OK, direct.Status);
        Assert.Equal([alpha], direct.Body.GetProperty("items").EnumerateArray().Select(o => o.Id()));
        var next = await _client.GetJsonAsync($"/api/v1/organizations/{root}/subsidiaries?sort=name&limit=1&cursor={direct.Body.Str("nextCursor")}");
        Assert.Equal([beta], next.Body.GetProperty("items").EnumerateArray().Select(o => o.Id()));
        Assert.Equal(JsonValueKind.Null, next.Body.GetProperty("nextCursor").ValueKind);

        var tree = await _client.GetJsonAsync($"/api/v1/organizations/{root}/tree");
        Assert.Equal(HttpStatusCode.OK, tree.Status);
        Assert.Equal([("Alpha", 1), ("Alpha One", 2), ("Deepest", 3), ("Alpha Two", 2), ("Beta", 1)], Nodes(tree.Body.GetProperty("items")));
        Assert.False(tree.Body.GetProperty("truncated").GetBoolean());
        Assert.Equal(alphaOne, tree.Body.GetProperty("items")[2].GetProperty("organization").GetProperty("parentOrganizationId").GetGuid());

        var ancestors = await _client.GetJsonAsync($"/api/v1/organizations/{deepest}/ancestors");
        Assert.Equal([("Alpha One", 1), ("Alpha", 2), ("Root", 3)], Nodes(ancestors.Body.GetProperty("items")));
        Assert.Empty((await _client.GetJsonAsync($"/api/v1/organizations/{root}/ancestors")).Body.GetProperty("items").EnumerateArray());
        Assert.Empty((await _client.GetJsonAsync($"/api/v1/organizations/{alphaTwo}/tree")).Body.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Unknown_and_other_tenants_organizations_answer_404()
    {
        var root = await CreateAsync("Mine");
        await CreateAsync("My subsidiary", root);
        var (_, otherToken) = await Platform.Identity.NewTenantAsync();
        var other = Platform.ClientFor(Platform.Contacts, otherToken);

        foreach (var path in new[] { "subsidiaries", "tree", "ancestors" })
        {
            (await other.GetJsonAsync($"/api/v1/organizations/{root}/{path}")).AssertProblem(HttpStatusCode.NotFound);
            (await _client.GetJsonAsync($"/api/v1/organizations/{Guid.CreateVersion7()}/{path}")).AssertProblem(HttpStatusCode.NotFound);
        }
        (await other.PostJsonAsync("/api/v1/organizations", new { name = "Theirs", parentOrganizationId = root })).AssertProblem(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Moving_an_organization_below_its_own_descendant_answers_422_and_changes_nothing()
    {
        var top = await CreateAsync("Top");
        var middle = await CreateAsync("Middle", top);
        var bottom = await CreateAsync("Bottom", middle);

        var cycle = await _client.PutJsonAsync($"/api/v1/organizations/{top}", new { name = "Top", parentOrganizationId = bottom }, Api.AnyVersion);
        cycle.AssertProblem(HttpStatusCode.UnprocessableEntity);
        Assert.True(cycle.Body.GetProperty("errors").TryGetProperty("parentOrganizationId", out _));
        Assert.Equal(JsonValueKind.Null, (await _client.GetJsonAsync($"/api/v1/organizations/{top}")).Body.GetProperty("parentOrganizationId").ValueKind);

        // Moving a branch elsewhere is fine.
        var other = await CreateAsync("Other");
        var moved = await _client.PutJsonAsync($"/api/v1/organizations/{middle}", new { name = "Middle", parentOrganizationId = other }, Api.AnyVersion);
        Assert.Equal(HttpStatusCode.OK, moved.Status);
        Assert.Equal([("Middle", 1), ("Bottom", 2)], Nodes((await _client.GetJsonAsync($"/api/v1/organizations/{other}/tree")).Body.GetProperty("items")));
    }

    [Fact]
    public async Task Concurrent_moves_that_would_close_a_cycle_cannot_both_succeed()
    {
        for (var round = 0; round < 5; round++)
        {
            var first = await CreateAsync($"First {round}");
            var second = await CreateAsync($"Second {round}");

            var answers = await Task.WhenAll(
                _client.PutJsonAsync($"/api/v1/organizations/{first}", new { name = "First", parentOrganizationId = second }, Api.AnyVersion),
                _client.PutJsonAsync($"/api/v1/organizations/{second}", new { name = "Second", parentOrganizationId = first }, Api.AnyVersion));

            Assert.Single(answers, a => a.Status == HttpStatusCode.OK);
            Assert.Single(answers, a => a.Status == HttpStatusCode.UnprocessableEntity);
            var parents = await PlatformServices.QueryAsync(Platform.Contacts, db => db.Organizations
                .Where(o => o.Id == first || o.Id == second).Select(o => o.ParentOrganizationId).ToListAsync());
            Assert.Single(parents, p => p is null);
        }
    }

    [Fact]
    public async Task The_tree_shows_only_what_the_caller_may_see()
    {
        const string rep = "rep-hierarchy";
        var root = await CreateAsync("Scoped root", ownerId: rep);
        var visible = await CreateAsync("Visible", root, ownerId: rep);
        await CreateAsync("Hidden", root);
        await CreateAsync("Visible child", visible, ownerId: rep);
        var token = await Platform.Identity.SignedTokenAsync(rep, TenantContext.DefaultTenantId, Roles.SalesRep);

        var tree = await Platform.ClientFor(Platform.Contacts, token).GetJsonAsync($"/api/v1/organizations/{root}/tree");

        Assert.Equal(HttpStatusCode.OK, tree.Status);
        Assert.Equal([("Visible", 1), ("Visible child", 2)], Nodes(tree.Body.GetProperty("items")));
    }

    [Fact]
    public async Task A_tree_larger_than_an_answer_holds_says_it_is_truncated()
    {
        var root = await CreateAsync("Conglomerate");
        await PlatformServices.QueryAsync(Platform.Contacts, db => db.Database.ExecuteSqlAsync($"""
            INSERT INTO organizations (id, tenant_id, name, parent_organization_id, owner_id, created_at, updated_at, version)
            SELECT gen_random_uuid(), {TenantContext.DefaultTenantId}, 'Unit ' || n, {root}, 'test-admin', now(), now(), 1
            FROM generate_series(1, 1001) AS n
            """));

        var tree = await _client.GetJsonAsync($"/api/v1/organizations/{root}/tree");

        Assert.Equal(1000, tree.Body.GetProperty("items").GetArrayLength());
        Assert.True(tree.Body.GetProperty("truncated").GetBoolean());
    }
}
