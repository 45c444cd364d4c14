using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using CrmPlatform.Contracts.Contacts.V1;
using CrmPlatform.ServiceDefaults;
using CrmPlatform.Tests.Infrastructure;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace CrmPlatform.Tests.Contacts;

/// <summary>Custom fields a tenant defines at run time: definitions, values checked on write, lists, events.</summary>
public sealed class CustomFieldsTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private readonly HttpClient _client = fixture.Platform.ClientFor(fixture.Platform.Contacts);
    private PlatformServices Platform => fixture.Platform;

    /// <summary>A prefix per test so fields of tests running side by side (one tenant) never meet.</summary>
    private readonly string _p = $"t{Guid.NewGuid():N}"[..9];

    private string K(string key) => _p + key;

    /// <summary>Six person fields of every type, under this test's prefix.</summary>
    private async Task DefinePersonFieldsAsync()
    {
        foreach (var field in new object[]
                 {
                     new { entity = "person", key = K("Tier"), label = "Tier", type = "single-choice", options = new[] { "Gold", "Silver", "Bronze" } },
                     new { entity = "person", key = K("Score"), label = "Score", type = "number" },
                     new { entity = "person", key = K("Since"), label = "Customer since", type = "date" },
                     new { entity = "person", key = K("Vip"), label = "VIP", type = "boolean" },
                     new { entity = "person", key = K("Interests"), label = "Interests", type = "multi-choice", options = new[] { "Golf", "Sailing", "Chess" } },
                     new { entity = "person", key = K("Note"), label = "Note", type = "text" },
                 })
        {
            var created = await _client.PostJsonAsync("/api/v1/custom-fields", field);
            Assert.Equal(HttpStatusCode.Created, created.Status);
        }
    }

    /// <summary>A person with these custom values; other tests' required fields never apply (their keys differ).</summary>
    private Task<ApiAnswer> PersonAsync(Dictionary<string, object?> values, string lastName = "Custom") =>
        _client.PostJsonAsync("/api/v1/people", new { firstName = "C", lastName, email = $"{Guid.NewGuid():N}@example.com", customFields = values });

    private Dictionary<string, object?> Values(params (string Key, object? Value)[] values) => values.ToDictionary(v => K(v.Key), v => v.Value);

    [Fact]
    public async Task Definitions_are_created_read_listed_changed_and_deleted()
    {
        var created = await _client.PostJsonAsync("/api/v1/custom-fields",
            new { entity = "organization", key = K("Region"), label = " Sales region ", type = "single-choice", options = new[] { "North", " South " }, required = false });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var id = created.Body.Id();
        Assert.Equal($"/api/v1/custom-fields/{id}", created.Response.Headers.Location?.ToString());
        Assert.Equal(("organization", "single-choice", "Sales region"), (created.Body.Str("entity"), created.Body.Str("type"), created.Body.Str("label")));
        Assert.Equal(["North", "South"], created.Body.GetProperty("options").EnumerateArray().Select(o => o.GetString()));

        var listed = await _client.GetJsonAsync($"/api/v1/custom-fields?filter[entity]=organization&filter[key]={K("Region")}");
        Assert.Equal([id], listed.Body.GetProperty("items").EnumerateArray().Select(f => f.Id()));
        (await _client.PostJsonAsync("/api/v1/custom-fields", new { entity = "organization", key = K("Region"), label = "Again", type = "text" }))
            .AssertProblem(HttpStatusCode.Conflict);

        var changed = await _client.PutJsonAsync($"/api/v1/custom-fields/{id}",
            new { entity = "organization", key = K("Region"), label = "Region", type = "single-choice", options = new[] { "North", "South", "East" }, required = true },
            created.Body.ETag());
        Assert.Equal(HttpStatusCode.OK, changed.Status);
        Assert.True(changed.Body.GetProperty("required").GetBoolean());
        Assert.Equal(3, changed.Body.GetProperty("options").GetArrayLength());

        var retyped = await _client.PutJsonAsync($"/api/v1/custom-fields/{id}",
            new { entity = "organization", key = K("Region"), label = "Region", type = "text" }, changed.Body.ETag());
        retyped.AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(retyped.Body.GetProperty("errors").TryGetProperty("type", out _));

        var audit = await _client.GetJsonAsync($"/api/v1/audit?entityType=customFieldDefinition&entityId={id}");
        Assert.Equal(["created", "updated"], audit.Body.GetProperty("items").EnumerateArray().Select(e => e.Str("action")));

        (await _client.DeleteJsonAsync($"/api/v1/custom-fields/{id}", null)).AssertProblem(HttpStatusCode.PreconditionRequired);
        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteJsonAsync($"/api/v1/custom-fields/{id}", changed.Body.ETag())).Status);
        (await _client.GetJsonAsync($"/api/v1/custom-fields/{id}")).AssertProblem(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("{\"entity\":\"person\",\"key\":\"Bad Key\",\"label\":\"L\",\"type\":\"text\"}", "key")]
    [InlineData("{\"entity\":\"deal\",\"key\":\"ok\",\"label\":\"L\",\"type\":\"text\"}", "entity")]
    [InlineData("{\"entity\":\"person\",\"key\":\"ok\",\"label\":\"L\",\"type\":\"colour\"}", "type")]
    [InlineData("{\"entity\":\"person\",\"key\":\"ok\",\"label\":\"\",\"type\":\"text\"}", "label")]
    [InlineData("{\"entity\":\"person\",\"key\":\"ok\",\"label\":\"L\",\"type\":\"single-choice\"}", "options")]
    [InlineData("{\"entity\":\"person\",\"key\":\"ok\",\"label\":\"L\",\"type\":\"multi-choice\",\"options\":[\"a\",\"A\"]}", "options[1]")]
    [InlineData("{\"entity\":\"person\",\"key\":\"ok\",\"label\":\"L\",\"type\":\"number\",\"options\":[\"a\"]}", "options")]
    public async Task Invalid_definitions_answer_400_naming_the_field(string body, string field)
    {
        var answer = await _client.SendJsonAsync(HttpMethod.Post, "/api/v1/custom-fields", body);
        answer.AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(answer.Body.GetProperty("errors").TryGetProperty(field, out _), $"errors name {field}: {answer.Body}");
    }

    [Fact]
    public async Task Everyone_reads_definitions_and_only_admins_change_them()
    {
        var readOnly = Platform.ClientFor(Platform.Contacts, await Platform.Identity.NewClientTokenAsync(TenantContext.DefaultTenantId, Roles.ReadOnly));
        var manager = Platform.ClientFor(Platform.Contacts, await Platform.Identity.NewClientTokenAsync(TenantContext.DefaultTenantId, Roles.SalesManager));

        Assert.Equal(HttpStatusCode.OK, (await readOnly.GetJsonAsync("/api/v1/custom-fields")).Status);
        (await manager.PostJsonAsync("/api/v1/custom-fields", new { entity = "person", key = K("x"), label = "X", type = "text" }))
            .AssertProblem(HttpStatusCode.Forbidden);
        var (_, otherAdmin) = await Platform.Identity.NewTenantAsync();
        var theirs = await Platform.ClientFor(Platform.Contacts, otherAdmin).GetJsonAsync("/api/v1/custom-fields?limit=200");
        Assert.Empty(theirs.Body.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Values_are_checked_against_their_definitions_and_stored_normalized()
    {
        await DefinePersonFieldsAsync();
        var created = await PersonAsync(Values(
            ("Tier", "gold"), ("Score", 42.5), ("Since", "2024-02-29"), ("Vip", true), ("Interests", new[] { "chess", "Golf", "Chess" }), ("Note", "  hi  ")));

        Assert.Equal(HttpStatusCode.Created, created.Status);
        var values = created.Body.GetProperty("customFields");
        Assert.Equal("Gold", values.Str(K("Tier")));
        Assert.Equal(42.5m, values.GetProperty(K("Score")).GetDecimal());
        Assert.Equal("2024-02-29", values.Str(K("Since")));
        Assert.True(values.GetProperty(K("Vip")).GetBoolean());
        Assert.Equal(["Golf", "Chess"], values.GetProperty(K("Interests")).EnumerateArray().Select(i => i.GetString()));
        Assert.Equal("hi", values.Str(K("Note")));

        var invalid = await PersonAsync(Values(
            ("Tier", "Platinum"), ("Score", "many"), ("Since", "2024-13-01"), ("Vip", "yes"), ("Interests", new[] { "Darts" })));
        invalid.AssertProblem(HttpStatusCode.BadRequest);
        foreach (var key in new[] { "Tier", "Score", "Since", "Vip", "Interests" })
        {
            Assert.True(invalid.Body.GetProperty("errors").TryGetProperty($"customFields.{K(key)}", out _), key);
        }

        var unknown = await PersonAsync(new Dictionary<string, object?> { ["noSuchField"] = 1 });
        unknown.AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(unknown.Body.GetProperty("errors").TryGetProperty("customFields.noSuchField", out _));
    }

    [Fact]
    public async Task A_required_field_needs_a_value_on_every_write_of_its_entity()
    {
        var field = await _client.PostJsonAsync("/api/v1/custom-fields", new { entity = "organization", key = K("Code"), label = "Code", type = "text", required = true });
        Assert.Equal(HttpStatusCode.Created, field.Status);

        var missing = await _client.PostJsonAsync("/api/v1/organizations", new { name = "No code" });
        missing.AssertProblem(HttpStatusCode.BadRequest);
        Assert.True(missing.Body.GetProperty("errors").TryGetProperty($"customFields.{K("Code")}", out _));
        var blank = await _client.PostJsonAsync("/api/v1/organizations", new { name = "Blank", customFields = new Dictionary<string, object> { [K("Code")] = "  " } });
        blank.AssertProblem(HttpStatusCode.BadRequest);
        var withCode = await _client.PostJsonAsync("/api/v1/organizations", new { name = "Coded", customFields = new Dictionary<string, object> { [K("Code")] = "C-1" } });
        Assert.Equal(HttpStatusCode.Created, withCode.Status);
        Assert.Equal("C-1", withCode.Body.GetProperty("customFields").Str(K("Code")));
        var found = await _client.GetJsonAsync($"/api/v1/organizations?filter[custom.{K("Code")}]=C-1&sort=-custom.{K("Code")}");
        Assert.Equal([withCode.Body.Id()], found.Body.GetProperty("items").EnumerateArray().Select(o => o.Id()));

        // Once the field is optional again (and its values cleared), it can go.
        await _client.PutJsonAsync($"/api/v1/custom-fields/{field.Body.Id()}", new { entity = "organization", key = K("Code"), label = "Code", type = "text" }, Api.AnyVersion);
        await _client.PutJsonAsync($"/api/v1/organizations/{withCode.Body.Id()}", new { name = "Coded" }, Api.AnyVersion);
        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteJsonAsync($"/api/v1/custom-fields/{field.Body.Id()}", Api.AnyVersion)).Status);
    }

    [Fact]
    public async Task Lists_filter_and_sort_by_custom_fields()
    {
        await DefinePersonFieldsAsync();
        var tag = $"cf-{Guid.NewGuid():N}";
        async Task<Guid> Create(string name, params (string Key, object? Value)[] values) =>
            (await _client.PostJsonAsync("/api/v1/people", new
            {
                firstName = "C", lastName = name, email = $"{Guid.NewGuid():N}@example.com", tags = new[] { tag }, customFields = Values(values),
            })).Body.Id();
        var ten = await Create("Ten", ("Score", 10), ("Tier", "Gold"), ("Since", "2023-05-01"), ("Interests", new[] { "Golf" }), ("Vip", true));
        var minus = await Create("Minus", ("Score", -3.5), ("Tier", "Silver"), ("Since", "2024-01-02"), ("Interests", new[] { "Golf", "Chess" }));
        var none = await Create("None");
        var hundred = await Create("Hundred", ("Score", 100), ("Tier", "Gold"), ("Vip", false));

        async Task<List<Guid>> Walk(string query)
        {
            var ids = new List<Guid>();
            string? cursor = null;
            do
            {
                var page = await _client.GetJsonAsync($"/api/v1/people?filter[tag]={tag}&{query}&limit=2" + (cursor is null ? "" : $"&cursor={cursor}"));
                Assert.True(page.Status == HttpStatusCode.OK, $"{query}: {page.Body}");
                ids.AddRange(page.Body.GetProperty("items").EnumerateArray().Select(p => p.Id()));
                cursor = page.Body.GetProperty("nextCursor").GetString();
            }
            while (cursor is not null);
            return ids;
        }

        Assert.Equal([none, minus, ten, hundred], await Walk($"sort=custom.{K("Score")}"));
        Assert.Equal([hundred, ten, minus, none], await Walk($"sort=-custom.{K("Score")}"));
        // Without a value: last when descending, the later created first (ties go by id).
        Assert.Equal([minus, ten, hundred, none], await Walk($"sort=-custom.{K("Since")}"));
        Assert.Equal([hundred, ten], await Walk($"filter[custom.{K("Tier")}]=Gold&sort=-custom.{K("Score")}"));
        Assert.Equal([ten, minus], await Walk($"filter[custom.{K("Interests")}]=golf"));
        Assert.Equal([minus], await Walk($"filter[custom.{K("Interests")}]=Chess"));
        Assert.Equal([ten], await Walk($"filter[custom.{K("Vip")}]=true"));
        Assert.Equal([minus], await Walk($"filter[custom.{K("Since")}]=2024-01-02"));
        Assert.Equal([minus], await Walk($"filter[custom.{K("Score")}]=-3.5"));

        (await _client.GetJsonAsync($"/api/v1/people?sort=custom.{K("Interests")}")).AssertProblem(HttpStatusCode.BadRequest);
        (await _client.GetJsonAsync("/api/v1/people?filter[custom.noSuchField]=1")).AssertProblem(HttpStatusCode.BadRequest);
        (await _client.GetJsonAsync($"/api/v1/people?filter[custom.{K("Score")}]=lots")).AssertProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task An_option_or_a_field_still_in_use_cannot_be_removed()
    {
        await DefinePersonFieldsAsync();
        var person = (await PersonAsync(Values(("Tier", "Bronze")))).Body;
        var tier = (await _client.GetJsonAsync($"/api/v1/custom-fields?filter[key]={K("Tier")}")).Body.GetProperty("items")[0];

        var withoutBronze = new { entity = "person", key = K("Tier"), label = "Tier", type = "single-choice", options = new[] { "Gold", "Silver" } };
        var refused = await _client.PutJsonAsync($"/api/v1/custom-fields/{tier.Id()}", withoutBronze, tier.ETag());
        refused.AssertProblem(HttpStatusCode.Conflict);
        Assert.Equal("Bronze", refused.Body.Str("option"));
        (await _client.DeleteJsonAsync($"/api/v1/custom-fields/{tier.Id()}", tier.ETag())).AssertProblem(HttpStatusCode.Conflict);

        await _client.PutJsonAsync($"/api/v1/people/{person.Id()}", new { firstName = "C", lastName = "Custom", email = person.Str("email") }, person.ETag());
        Assert.Equal(HttpStatusCode.OK, (await _client.PutJsonAsync($"/api/v1/custom-fields/{tier.Id()}", withoutBronze, tier.ETag())).Status);
    }

    [Fact]
    public async Task Custom_values_are_in_the_published_person_events()
    {
        await DefinePersonFieldsAsync();
        var received = new ConcurrentBag<PersonCreated>();
        var bus = Platform.Contacts.Services.GetRequiredService<IBus>();
        var endpoint = bus.ConnectReceiveEndpoint($"test-custom-fields-{Guid.NewGuid():N}", e => e.Handler<PersonCreated>(context =>
        {
            received.Add(context.Message);
            return Task.CompletedTask;
        }));
        await endpoint.Ready;
        try
        {
            var person = (await PersonAsync(Values(("Tier", "silver"), ("Interests", new[] { "Sailing" }), ("Score", 7)))).Body;

            var message = await Eventually.ReturnsAsync(() => Task.FromResult(received.FirstOrDefault(m => m.AggregateId == person.Id())),
                m => m is not null, "the PersonCreated event arrives");
            var values = message!.Person.CustomFields!;
            Assert.Equal("Silver", values[K("Tier")].GetString());
            Assert.Equal("Sailing", values[K("Interests")][0].GetString());
            Assert.Equal(7, values[K("Score")].GetInt32());
            Assert.False(values.ContainsKey(K("Vip")));
        }
        finally
        {
            await endpoint.StopAsync();
        }
    }
}
