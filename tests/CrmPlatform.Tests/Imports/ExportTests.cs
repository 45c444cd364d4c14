using System.Globalization;
using System.Net;
using System.Text.Json;
using CrmPlatform.Tests.Infrastructure;
using CsvHelper;
using MiniExcelLibs;

namespace CrmPlatform.Tests.Imports;

/// <summary>Exports of filtered lists in CSV, XLSX and JSON, each tenant seeing only its own records.</summary>
public sealed class ExportTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private PlatformServices Platform => fixture.Platform;

    private async Task<(HttpClient Client, string Tag, List<Guid> Tagged)> TenantWithPeopleAsync()
    {
        var client = Platform.ClientFor(Platform.Contacts, (await Platform.Identity.NewTenantAsync()).Token);
        var definition = await client.PostJsonAsync("/api/v1/custom-fields", new { entity = "person", key = "shoe_size", label = "Shoe size", type = "number" });
        Assert.Equal(HttpStatusCode.Created, definition.Status);
        var tag = $"export-{Guid.NewGuid():N}"[..20];
        var tagged = new List<Guid>();
        foreach (var (name, tags) in new[] { ("Alpha", new[] { tag }), ("Beta", new[] { tag, "other" }), ("Gamma", new[] { "other" }) })
        {
            var created = await client.PostJsonAsync("/api/v1/people", new
            {
                firstName = name, lastName = "Exported", email = $"{name.ToLowerInvariant()}-{Guid.NewGuid():N}@example.com", tags,
                customFields = new Dictionary<string, object> { ["shoe_size"] = 42 },
            });
            Assert.Equal(HttpStatusCode.Created, created.Status);
            if (tags.Contains(tag))
            {
                tagged.Add(created.Body.Id());
            }
        }
        return (client, tag, tagged);
    }

    [Fact]
    public async Task Csv_export_has_every_filtered_person_with_custom_fields_as_columns()
    {
        var (client, tag, tagged) = await TenantWithPeopleAsync();
        var response = await client.GetAsync($"/api/v1/people/export?format=csv&filter[tag]={tag}&sort=-firstName");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        using var csv = new CsvReader(new StringReader(await response.Content.ReadAsStringAsync()), CultureInfo.InvariantCulture);
        var rows = csv.GetRecords<dynamic>().Cast<IDictionary<string, object>>().ToList();
        Assert.Equal(["Beta", "Alpha"], rows.Select(r => (string)r["firstName"]));
        Assert.Equal(tagged.Order(), rows.Select(r => Guid.Parse((string)r["id"])).Order());
        Assert.All(rows, r => Assert.Equal("42", r["custom.shoe_size"]));
        Assert.Equal($"{tag};other", rows[0]["tags"]);
    }

    [Fact]
    public async Task Xlsx_export_holds_the_filtered_people()
    {
        var (client, tag, tagged) = await TenantWithPeopleAsync();
        var response = await client.GetAsync($"/api/v1/people/export?format=xlsx&filter[tag]={tag}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", response.Content.Headers.ContentType?.MediaType);
        using var file = new MemoryStream(await response.Content.ReadAsByteArrayAsync());
        var rows = file.Query(useHeaderRow: true, excelType: ExcelType.XLSX).Cast<IDictionary<string, object>>().ToList();
        Assert.Equal(tagged.Order(), rows.Select(r => Guid.Parse((string)r["id"])).Order());
        Assert.All(rows, r => Assert.Equal("Exported", r["lastName"]));
    }

    [Fact]
    public async Task Json_export_is_an_array_of_the_api_records_and_search_narrows_it()
    {
        var (client, tag, tagged) = await TenantWithPeopleAsync();
        var all = await client.GetJsonAsync($"/api/v1/people/export?format=json&filter[tag]={tag}");
        Assert.Equal(HttpStatusCode.OK, all.Status);
        Assert.Equal(tagged.Order(), all.Body.EnumerateArray().Select(p => p.Id()).Order());
        Assert.All(all.Body.EnumerateArray(), p => Assert.Equal(42, p.GetProperty("customFields").GetProperty("shoe_size").GetInt32()));

        var searched = await client.GetJsonAsync($"/api/v1/people/export?format=json&filter[tag]={tag}&q=Beta");
        Assert.Equal(["Beta"], searched.Body.EnumerateArray().Select(p => p.Str("firstName")));
        var organizations = await client.GetJsonAsync("/api/v1/organizations/export?format=json");
        Assert.Equal(JsonValueKind.Array, organizations.Body.ValueKind);
    }

    [Fact]
    public async Task Bad_export_parameters_are_problems()
    {
        var (client, _, _) = await TenantWithPeopleAsync();
        (await client.GetJsonAsync("/api/v1/people/export?format=pdf")).AssertProblem(HttpStatusCode.BadRequest);
        (await client.GetJsonAsync("/api/v1/people/export?filter[shoeColour]=red")).AssertProblem(HttpStatusCode.BadRequest);
        (await client.GetJsonAsync("/api/v1/people/export?sort=nonsense")).AssertProblem(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task An_export_holds_only_the_callers_tenant()
    {
        var (_, tag, _) = await TenantWithPeopleAsync();
        var (other, _, otherTagged) = await TenantWithPeopleAsync();
        var mine = await other.GetJsonAsync($"/api/v1/people/export?format=json&filter[tag]={tag}");
        Assert.Equal(0, mine.Body.GetArrayLength());
        var everything = await other.GetJsonAsync("/api/v1/people/export?format=json");
        Assert.Equal(3, everything.Body.GetArrayLength());
        Assert.Superset(otherTagged.ToHashSet(), everything.Body.EnumerateArray().Select(p => p.Id()).ToHashSet());
    }
}
