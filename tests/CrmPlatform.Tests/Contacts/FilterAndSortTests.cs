using System.Net;
using System.Text.Json;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Tests.Contacts;

public sealed class FilterAndSortTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _client = fixture.Platform.ClientFor(fixture.Platform.Contacts);

    private async Task<(Guid Organization, List<JsonElement> People)> PeopleAtNewOrganizationAsync(params string[] lastNames)
    {
        var organization = (await _client.PostJsonAsync("/api/v1/organizations", new { name = $"Org {Guid.NewGuid():N}" })).Body.Id();
        var people = new List<JsonElement>();
        foreach (var lastName in lastNames)
        {
            // Two people of one name at one organization are a strong duplicate; here they are meant to be two.
            people.Add((await _client.PostJsonAsync("/api/v1/people?allowDuplicates=true", Api.NewPerson(organizationId: organization, lastName: lastName))).Body);
        }
        return (organization, people);
    }

    private async Task<List<JsonElement>> WalkAsync(string query)
    {
        var all = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var page = await _client.GetJsonAsync($"/api/v1/people?{query}" + (cursor is null ? "" : $"&cursor={cursor}"));
            Assert.Equal(HttpStatusCode.OK, page.Status);
            all.AddRange(page.Body.GetProperty("items").EnumerateArray());
            var next = page.Body.GetProperty("nextCursor");
            cursor = next.ValueKind == JsonValueKind.Null ? null : next.GetString();
        }
        while (cursor is not null);
        return all;
    }

    [Fact]
    public async Task Filters_match_exactly_and_combine()
    {
        var (organization, people) = await PeopleAtNewOrganizationAsync("Turing", "Lovelace", "Turing");

        var turings = await WalkAsync($"filter[organizationId]={organization}&filter[lastName]=Turing");
        Assert.Equal(people.Where(p => p.Str("lastName") == "Turing").Select(p => p.Id()).Order(), turings.Select(p => p.Id()).Order());

        var byEmail = await WalkAsync($"filter[email]={Uri.EscapeDataString(people[1].Str("email").ToUpperInvariant())}");
        Assert.Equal([people[1].Id()], byEmail.Select(p => p.Id()));
    }

    [Fact]
    public async Task Sorting_descending_walks_every_page_in_order()
    {
        var names = new[] { "Moore", "Allen", "Zuse", "Backus", "Hamilton", "Kay", "Liskov" };
        var (organization, people) = await PeopleAtNewOrganizationAsync(names);

        var walked = await WalkAsync($"filter[organizationId]={organization}&sort=-lastName&limit=2");

        Assert.Equal(names.OrderDescending(StringComparer.Ordinal), walked.Select(p => p.Str("lastName")));
        Assert.Equal(people.Count, walked.Select(p => p.Id()).Distinct().Count());
    }

    [Fact]
    public async Task An_organizations_people_by_last_name_are_an_index_walk_however_many_it_has()
    {
        var (organization, people) = await PeopleAtNewOrganizationAsync("Seed");
        var seed = people[0].Id();
        var plan = await PlatformServices.QueryAsync(fixture.Platform.Contacts, async db =>
        {
            // 5,000 people at the organization, a large customer's size: sorting them all for a page is what the index spares.
            await PeopleCopies.InsertAsync(db, seed, 5000, new Dictionary<string, string> { ["last_name"] = "'Name ' || (i % 997)" });
            var tenant = await db.People.IgnoreQueryFilters().Where(p => p.Id == seed).Select(p => p.TenantId).SingleAsync();
            // The list's query as EF Core renders filter[organizationId] with sort=-lastName: keyset order, a page and one.
            return await PeopleCopies.ExplainAsync(db,
                $"SELECT * FROM people WHERE tenant_id = '{tenant}' AND organization_id = '{organization}' ORDER BY last_name DESC, id DESC LIMIT 51");
        });
        Assert.True(plan.Contains("ix_people_organization_id_last_name_id") && !plan.Contains("Sort"), plan);

        var page = await _client.GetJsonAsync($"/api/v1/people?filter[organizationId]={organization}&sort=-lastName&limit=3");
        Assert.Equal(["Seed", "Name 996", "Name 996"], page.Body.GetProperty("items").EnumerateArray().Select(p => p.Str("lastName")));
    }

    [Theory]
    [InlineData("filter[nickname]=Ada", "filter[nickname]")]
    [InlineData("sort=shoeSize", "sort")]
    [InlineData("filter[organizationId]=not-a-guid", "filter[organizationId]")]
    [InlineData("limit=0", "limit")]
    public async Task Unknown_fields_and_bad_values_answer_400_naming_them(string query, string field)
    {
        var answer = await _client.GetJsonAsync($"/api/v1/people?{query}");
        answer.AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty(field, out _), $"errors name {field}");
    }

    [Fact]
    public async Task A_cursor_cannot_be_reused_with_another_sort()
    {
        var (organization, _) = await PeopleAtNewOrganizationAsync("A", "B", "C");
        var page = await _client.GetJsonAsync($"/api/v1/people?filter[organizationId]={organization}&sort=lastName&limit=1");
        var cursor = page.Body.Str("nextCursor");

        (await _client.GetJsonAsync($"/api/v1/people?filter[organizationId]={organization}&sort=-lastName&limit=1&cursor={cursor}"))
            .AssertProblem(HttpStatusCode.BadRequest);
    }
}
