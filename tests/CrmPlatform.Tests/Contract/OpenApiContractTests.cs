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

    internal static readonly string[] ServiceNames = ["identity", "contacts", "sales", "marketing", "service", "integrations"];

    public static TheoryData<string> Services => new(ServiceNames);

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

    /// <summary>An untyped property is <c>unknown</c> to a generated client; timestamps were, under the API's own converter.</summary>
    [Theory]
    [MemberData(nameof(Services))]
    public async Task Every_property_has_a_type(string service)
    {
        var document = await DocumentAsync(service);
        var problems = new List<string>();
        foreach (var schema in document.GetProperty("components").GetProperty("schemas").EnumerateObject())
        {
            if (!schema.Value.TryGetProperty("properties", out var properties))
            {
                continue;
            }
            foreach (var property in properties.EnumerateObject())
            {
                if (!new[] { "type", "$ref", "oneOf", "anyOf", "allOf" }.Any(keyword => property.Value.TryGetProperty(keyword, out _)))
                {
                    problems.Add($"{schema.Name}.{property.Name}: {property.Value.GetRawText()}");
                }
            }
        }
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

    /// <summary>Statuses and bodies a client meets on these routes, documented (they were not: a generated client could not read them).</summary>
    [Fact]
    public async Task The_oauth_endpoints_document_their_form_bodies_and_errors_and_undo_and_totp_their_404s_and_exports_their_formats()
    {
        var identity = await DocumentAsync("identity");
        var token = identity.GetProperty("paths").GetProperty("/connect/token").GetProperty("post");
        var form = token.GetProperty("requestBody").GetProperty("content").GetProperty("application/x-www-form-urlencoded").GetProperty("schema");
        Assert.True(Resolve(identity, form).GetProperty("properties").TryGetProperty("grant_type", out _));
        foreach (var status in new[] { "400", "401" })
        {
            var error = token.GetProperty("responses").GetProperty(status).GetProperty("content").GetProperty("application/json").GetProperty("schema");
            Assert.True(Resolve(identity, error).GetProperty("properties").TryGetProperty("error_description", out _), $"token {status}");
        }
        var issued = token.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        Assert.True(Resolve(identity, issued).GetProperty("properties").TryGetProperty("access_token", out _));
        var revocation = identity.GetProperty("paths").GetProperty("/connect/revocation").GetProperty("post");
        Assert.True(revocation.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/x-www-form-urlencoded", out _));
        Assert.True(identity.GetProperty("paths").GetProperty("/connect/authorize").GetProperty("get").GetProperty("responses").TryGetProperty("302", out _));
        foreach (var method in new[] { "post", "delete" })
        {
            Assert.True(identity.GetProperty("paths").GetProperty("/api/v1/users/{id}/totp").GetProperty(method).GetProperty("responses").TryGetProperty("404", out _));
        }

        var undo = (await DocumentAsync("contacts")).GetProperty("paths").GetProperty("/api/v1/merges/{id}/undo").GetProperty("post").GetProperty("responses");
        Assert.True(undo.TryGetProperty("404", out _) && undo.TryGetProperty("410", out _));

        var export = (await DocumentAsync("contacts")).GetProperty("paths").GetProperty("/api/v1/people/export").GetProperty("get").GetProperty("responses");
        var formats = export.GetProperty("200").GetProperty("content").EnumerateObject().Select(c => c.Name).ToList();
        Assert.Equal(["text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/json"], formats);
        var records = export.GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        Assert.Equal("array", records.GetProperty("type").GetString());
        Assert.Equal("#/components/schemas/PersonResponse", records.GetProperty("items").GetProperty("$ref").GetString());
    }

    private static JsonElement Resolve(JsonElement document, JsonElement schema) =>
        schema.TryGetProperty("$ref", out var reference)
            ? document.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1])
            : schema;

    /// <summary>An anonymous client of the named service, which serves its document at <c>/openapi/v1.json</c>.</summary>
    internal static HttpClient ClientFor(PlatformServices platform, string service) => service switch
    {
        "identity" => platform.Identity.Factory.CreateClient(),
        "contacts" => platform.Contacts.CreateClient(),
        "sales" => platform.Sales.CreateClient(),
        "marketing" => platform.Marketing.CreateClient(),
        "integrations" => platform.Integrations.CreateClient(),
        _ => platform.Service.CreateClient(),
    };

    private async Task<JsonElement> DocumentAsync(string service)
    {
        using var client = ClientFor(fixture.Platform, service);
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
