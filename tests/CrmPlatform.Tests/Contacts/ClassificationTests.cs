using System.Net;
using System.Text.Json;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Tests.Contacts;

/// <summary>Segment, industry, rating and lifecycle stage: kept, validated, filterable and sortable.</summary>
public sealed class ClassificationTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _client = fixture.Platform.ClientFor(fixture.Platform.Contacts);
    private PlatformServices Platform => fixture.Platform;

    private async Task<List<JsonElement>> WalkAsync(string resource, string query)
    {
        var all = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var page = await _client.GetJsonAsync($"/api/v1/{resource}?{query}&limit=2" + (cursor is null ? "" : $"&cursor={cursor}"));
            Assert.Equal(HttpStatusCode.OK, page.Status);
            all.AddRange(page.Body.GetProperty("items").EnumerateArray());
            cursor = page.Body.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        return all;
    }

    private static string? Field(JsonElement item, string name) => item.GetProperty(name).GetString();

    [Fact]
    public async Task People_sort_by_lifecycle_stage_in_funnel_order_and_by_rating_and_segment()
    {
        var tag = $"class-{Guid.NewGuid():N}";
        var people = new (string? Stage, string? Rating, string? Segment)[]
        {
            ("customer", "hot", "Enterprise"), (null, null, null), ("former-customer", "cold", "SMB"),
            ("subscriber", "warm", "Enterprise"), ("lead", "hot", "Mid-market"),
        };
        foreach (var (stage, rating, segment) in people)
        {
            var created = await _client.PostJsonAsync("/api/v1/people", new
            {
                firstName = "C", lastName = stage ?? "none", email = $"{Guid.NewGuid():N}@example.com", tags = new[] { tag },
                lifecycleStage = stage, rating, segment, industry = "Software",
            });
            Assert.Equal(HttpStatusCode.Created, created.Status);
        }

        var byStage = await WalkAsync("people", $"filter[tag]={tag}&sort=lifecycleStage");
        Assert.Equal([null, "subscriber", "lead", "customer", "former-customer"], byStage.Select(p => Field(p, "lifecycleStage")));
        var byRating = await WalkAsync("people", $"filter[tag]={tag}&sort=-rating");
        Assert.Equal(["hot", "hot", "warm", "cold", null], byRating.Select(p => Field(p, "rating")));
        var bySegment = await WalkAsync("people", $"filter[tag]={tag}&sort=segment");
        Assert.Equal([null, "Enterprise", "Enterprise", "Mid-market", "SMB"], bySegment.Select(p => Field(p, "segment")));

        var hotEnterprise = await WalkAsync("people", $"filter[tag]={tag}&filter[rating]=hot&filter[segment]=Enterprise");
        Assert.Equal(["customer"], hotEnterprise.Select(p => Field(p, "lifecycleStage")));
        var former = await WalkAsync("people", $"filter[tag]={tag}&filter[lifecycleStage]=former-customer&filter[industry]=Software");
        Assert.Equal(["former-customer"], former.Select(p => Field(p, "lifecycleStage")));
    }

    [Fact]
    public async Task Organizations_filter_and_sort_by_their_classification()
    {
        var tag = $"class-{Guid.NewGuid():N}";
        foreach (var (stage, rating, industry) in new[] { ("lead", "warm", "Retail"), ("customer", "cold", "Banking"), ("customer", "hot", "Aerospace") })
        {
            Assert.Equal(HttpStatusCode.Created, (await _client.PostJsonAsync("/api/v1/organizations", new
            {
                name = $"{industry} Inc", tags = new[] { tag }, lifecycleStage = stage, rating, industry, segment = "Key",
            })).Status);
        }

        var customers = await WalkAsync("organizations", $"filter[tag]={tag}&filter[lifecycleStage]=customer&sort=-rating");
        Assert.Equal(["Aerospace", "Banking"], customers.Select(o => Field(o, "industry")));
        var byIndustry = await WalkAsync("organizations", $"filter[tag]={tag}&filter[segment]=Key&sort=industry");
        Assert.Equal(["Aerospace", "Banking", "Retail"], byIndustry.Select(o => Field(o, "industry")));
    }

    [Fact]
    public async Task Unknown_kinds_answer_400_in_bodies_and_in_filters()
    {
        var answer = await _client.PostJsonAsync("/api/v1/people", new
        {
            firstName = "A", lastName = "B", email = $"{Guid.NewGuid():N}@example.com", rating = "lukewarm", lifecycleStage = "prospect", segment = new string('s', 101),
        });
        answer.AssertProblem(HttpStatusCode.BadRequest);
        foreach (var field in new[] { "rating", "lifecycleStage", "segment" })
        {
            Assert.True(answer.Body.GetProperty("errors").TryGetProperty(field, out _), field);
        }
        (await _client.PostJsonAsync("/api/v1/organizations", new { name = "X", rating = "1" })).AssertProblem(HttpStatusCode.BadRequest);
        (await _client.GetJsonAsync("/api/v1/people?filter[lifecycleStage]=prospect")).AssertProblem(HttpStatusCode.BadRequest);
        (await _client.GetJsonAsync("/api/v1/organizations?filter[rating]=3")).AssertProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_classification_travels_in_the_events()
    {
        var person = (await _client.PostJsonAsync("/api/v1/people", new
        {
            firstName = "E", lastName = "Vent", email = $"{Guid.NewGuid():N}@example.com", segment = "SMB", industry = "Retail",
            rating = "warm", lifecycleStage = "former-customer",
        })).Body;
        var payload = await PlatformServices.QueryAsync(Platform.Contacts, db => db.OutboxMessages
            .Where(m => EF.Functions.JsonContains(m.Payload, $"{{\"aggregateId\":\"{person.Id()}\"}}")).Select(m => m.Payload).SingleAsync());
        var snapshot = JsonDocument.Parse(payload).RootElement.GetProperty("person");

        Assert.Equal(("SMB", "Retail", "warm", "former-customer"),
            (snapshot.Str("segment"), snapshot.Str("industry"), snapshot.Str("rating"), snapshot.Str("lifecycleStage")));
    }
}
