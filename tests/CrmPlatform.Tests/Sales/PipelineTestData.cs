using System.Net;
using System.Text.Json;
using CrmPlatform.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CrmPlatform.Tests.Sales;

/// <summary>The pipeline test classes share one platform and run one after another: they are heavy, and some change a tenant's default.</summary>
[CollectionDefinition(Name)]
public sealed class PipelinesCollection : ICollectionFixture<PlatformFixture>
{
    public const string Name = "Sales pipelines";
}

/// <summary>Pipelines, customers and opportunities as the tests write them.</summary>
public static class PipelineTestData
{
    public static object Stage(string key, int probability, string kind = "open", params string[] requiredFields) =>
        new { key, name = char.ToUpperInvariant(key[0]) + key[1..], probability, kind, requiredFields };

    /// <summary>A pipeline of its own per test (unique name), so boards and stage rules see only that test's opportunities.</summary>
    public static object Pipeline(string? name = null, bool isDefault = false, params object[] stages) => new
    {
        name = name ?? $"Pipeline {Guid.NewGuid():N}",
        isDefault,
        stages = stages.Length > 0
            ? stages
            : [Stage("lead", 10), Stage("proposal", 50, "open", "amount", "expectedCloseDate"), Stage("won", 100, "won"), Stage("lost", 0, "lost")],
    };

    public static object Opportunity(Guid customerId, Guid? pipelineId = null, string? stage = null, decimal amount = 1000m,
        string currency = "EUR", string? expectedCloseDate = "2027-06-30", string? lostReason = null, string? competitor = null) =>
        new { name = "Deal", amount, currency, customerId, pipelineId, stage, expectedCloseDate, lostReason, competitor };

    public static async Task<JsonElement> CreatePipelineAsync(HttpClient sales, object? pipeline = null) =>
        await sales.PostJsonAsync("/api/v1/pipelines", pipeline ?? Pipeline()).CreatedAsync();

    /// <summary>A person created in Contacts with <paramref name="contacts"/>' token, once Sales has it (in whichever tenant).</summary>
    public static async Task<Guid> CustomerAsync(PlatformServices platform, HttpClient contacts)
    {
        var id = (await contacts.PostJsonAsync("/api/v1/people", Api.NewPerson())).Body.Id();
        await Eventually.TrueAsync(() => PlatformServices.QueryAsync(platform.Sales, db => db.DirectoryContacts.IgnoreQueryFilters().AnyAsync(c => c.Id == id)),
            "Sales knows the person");
        return id;
    }

    public static Task<ApiAnswer> MoveAsync(this HttpClient sales, JsonElement opportunity, string stage, string? lostReason = null,
        string? competitor = null, Guid? pipelineId = null) =>
        sales.PutJsonAsync($"/api/v1/opportunities/{opportunity.Id()}/stage", new { stage, pipelineId, lostReason, competitor }, opportunity.ETag());

    /// <summary>The body of a 200, failing with the answer when it is anything else.</summary>
    public static async Task<JsonElement> OkAsync(this Task<ApiAnswer> answer)
    {
        var done = await answer;
        Assert.True(done.Status == HttpStatusCode.OK, $"Expected 200, got {(int)done.Status}: {done.Body}");
        return done.Body;
    }

    public static IEnumerable<string> ErrorFields(this ApiAnswer answer) =>
        answer.Body.GetProperty("errors").EnumerateObject().Select(p => p.Name);
}
