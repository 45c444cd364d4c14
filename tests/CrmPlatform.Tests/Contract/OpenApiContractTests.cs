using System.Text.Json;
using CrmPlatform.Tests.Infrastructure;

namespace CrmPlatform.Tests.Contract;

/// <summary>
/// Every service's OpenAPI document, read as a client generator reads it: each operation has a unique operationId
/// (generated clients name their methods after it) and a summary, and no schema is one that strict JSON Schema 2020-12
/// validators reject (a nullable enum written as a <c>oneOf</c> of null and an enum that holds null matches null twice).
/// </summary>
public sealed class OpenApiContractTests(PlatformFixture fixture) : IClassFixture<PlatformFixture>
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options"];

    public static TheoryData<string> Services => new() { "identity", "contacts", "sales", "marketing", "service" };

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Every_operation_has_a_unique_operation_id_and_a_summary(string service)
    {
        var document = await DocumentAsync(service);
        var problems = new List<string>();
        var seen = new Dictionary<string, string>();
        var operations = 0;
        foreach (var (path, method, operation) in Operations(document))
        {
            operations++;
            var where = $"{method.ToUpperInvariant()} {path}";
            if (!operation.TryGetProperty("operationId", out var id) || string.IsNullOrWhiteSpace(id.GetString()))
            {
                problems.Add($"{where}: no operationId");
            }
            else if (!seen.TryAdd(id.GetString()!, where))
            {
                problems.Add($"{where}: operationId {id.GetString()} is also {seen[id.GetString()!]}'s");
            }
            else if (!System.Text.RegularExpressions.Regex.IsMatch(id.GetString()!, "^[a-z][A-Za-z0-9]*$"))
            {
                problems.Add($"{where}: operationId {id.GetString()} is not a camelCase identifier");
            }
            if (!operation.TryGetProperty("summary", out var summary) || string.IsNullOrWhiteSpace(summary.GetString()))
            {
                problems.Add($"{where}: no summary");
            }
        }
        Assert.True(operations > 0, $"{service} documents no operation");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>A list's handler reads limit, cursor, sort and filters itself; the document must still name them.</summary>
    [Theory]
    [MemberData(nameof(Services))]
    public async Task Every_cursor_paged_list_documents_its_paging_parameters(string service)
    {
        var document = await DocumentAsync(service);
        var problems = new List<string>();
        var lists = 0;
        foreach (var (path, method, operation) in Operations(document))
        {
            if (!operation.GetProperty("responses").TryGetProperty("200", out var ok) || !ok.TryGetProperty("content", out var content)
                || !content.TryGetProperty("application/json", out var json) || !json.GetProperty("schema").TryGetProperty("$ref", out var schema)
                || !schema.GetString()!.Contains("CursorPage", StringComparison.Ordinal))
            {
                continue;
            }
            lists++;
            var names = operation.TryGetProperty("parameters", out var parameters)
                ? parameters.EnumerateArray().Select(p => p.Str("name")).ToHashSet()
                : [];
            foreach (var missing in new[] { "limit", "cursor" }.Where(name => !names.Contains(name)))
            {
                problems.Add($"{method.ToUpperInvariant()} {path}: {missing} is not documented");
            }
        }
        Assert.True(lists > 0 || service == "marketing", $"{service} documents no cursor-paged list");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Nullable_enums_are_valid_json_schema(string service)
    {
        var document = await DocumentAsync(service);
        var problems = new List<string>();
        if (document.TryGetProperty("components", out var components) && components.TryGetProperty("schemas", out var schemas))
        {
            foreach (var schema in schemas.EnumerateObject())
            {
                if (schema.Value.TryGetProperty("enum", out var values) && values.EnumerateArray().Any(v => v.ValueKind == JsonValueKind.Null))
                {
                    problems.Add($"components.schemas.{schema.Name}: its enum holds null; nullability belongs where it is used (oneOf with {{type: null}})");
                }
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private async Task<JsonElement> DocumentAsync(string service)
    {
        var platform = fixture.Platform;
        using var client = service switch
        {
            "identity" => platform.Identity.Factory.CreateClient(),
            "contacts" => platform.Contacts.CreateClient(),
            "sales" => platform.Sales.CreateClient(),
            "marketing" => platform.Marketing.CreateClient(),
            _ => platform.Service.CreateClient(),
        };
        var answer = await client.GetJsonAsync("/openapi/v1.json");
        Assert.Equal(System.Net.HttpStatusCode.OK, answer.Status);
        return answer.Body;
    }

    private static IEnumerable<(string Path, string Method, JsonElement Operation)> Operations(JsonElement document)
    {
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var method in Methods)
            {
                if (path.Value.TryGetProperty(method, out var operation))
                {
                    yield return (path.Name, method, operation);
                }
            }
        }
    }
}
