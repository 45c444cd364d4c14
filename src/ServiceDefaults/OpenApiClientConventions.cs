using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;

namespace CrmPlatform.ServiceDefaults;

/// <summary>
/// What client generators need from each operation and schema, derived once here rather than written on every route:
/// an <c>operationId</c> (generated clients name their methods after it) and a summary, both from the handler's name
/// (<c>ListOpportunities</c> → <c>listOpportunities</c>, "List opportunities"), unless the route names itself with
/// <c>WithName</c>/<c>WithSummary</c>; and a description saying which permission the endpoint requires.
/// </summary>
public static partial class OpenApiClientConventions
{
    public static void Name(OpenApiOperation operation, IList<object> endpointMetadata)
    {
        var handler = endpointMetadata.OfType<MethodInfo>().LastOrDefault();
        var name = operation.OperationId
            ?? (handler is null || handler.Name.Contains('<') ? null : HandlerName(handler));
        if (name is null)
        {
            return;
        }
        operation.OperationId ??= char.ToLowerInvariant(name[0]) + name[1..];
        if (string.IsNullOrWhiteSpace(operation.Summary))
        {
            var words = Word().Matches(name).Select(m => m.Value).ToList();
            words[0] = char.ToUpperInvariant(words[0][0]) + words[0][1..];
            operation.Summary = string.Join(' ', words.Select((word, i) => i == 0 || IsAcronym(word) ? word : word.ToLowerInvariant()));
        }
        operation.Description ??= $"{operation.Summary}. {WhoMayCall(endpointMetadata)}";
    }

    /// <summary>What a caller needs, from the endpoint's own authorization metadata, so the description cannot drift from it.</summary>
    private static string WhoMayCall(IList<object> endpointMetadata)
    {
        if (endpointMetadata.OfType<IAllowAnonymous>().Any())
        {
            return "No access token needed.";
        }
        var policies = endpointMetadata.OfType<IAuthorizeData>().Select(a => a.Policy).OfType<string>().Distinct().ToList();
        return policies.Count == 0
            ? "Needs an access token."
            : $"Needs the {string.Join(" and ", policies.Select(p => $"`{p}`"))} permission: a role that grants it, or that scope for an API client.";
    }

    /// <summary>
    /// The handler's name without <c>Async</c>; a bare verb (<c>RoutingRulesApi.List</c>) takes its resource from the
    /// class (<c>ListRoutingRules</c>, <c>GetRoutingRule</c>), since several classes of one service say just <c>List</c>.
    /// </summary>
    private static string HandlerName(MethodInfo handler)
    {
        var name = handler.Name.EndsWith("Async", StringComparison.Ordinal) ? handler.Name[..^"Async".Length] : handler.Name;
        if (Word().Matches(name).Count > 1 || handler.DeclaringType is not { } type)
        {
            return name;
        }
        var resource = type.Name.EndsWith("Api", StringComparison.Ordinal) ? type.Name[..^"Api".Length]
            : type.Name.EndsWith("Endpoints", StringComparison.Ordinal) ? type.Name[..^"Endpoints".Length]
            : type.Name;
        return name + (name is "List" or "Search" ? resource : Singular(resource));
    }

    private static string Singular(string plural) =>
        plural.EndsWith("ies", StringComparison.Ordinal) ? plural[..^3] + "y"
        : plural.EndsWith("sses", StringComparison.Ordinal) ? plural[..^2]
        : plural.EndsWith('s') && !plural.EndsWith("ss", StringComparison.Ordinal) ? plural[..^1]
        : plural;

    /// <summary>
    /// A nullable enum's values without null: System.Text.Json describes <c>Rating?</c> as an enum that holds null and
    /// the property as <c>oneOf: [{type: null}, {$ref: Rating}]</c>, so null matched both branches and strict JSON Schema
    /// 2020-12 validators rejected every null. The shared schema is the enum's; where it is nullable says so.
    /// </summary>
    public static void WithoutNullInEnum(OpenApiSchema schema)
    {
        if (schema.Enum is not { Count: > 0 } values || !values.Any(IsNull))
        {
            return;
        }
        schema.Enum = values.Where(value => !IsNull(value)).ToList();
        if (schema.Type is { } type)
        {
            schema.Type = type & ~JsonSchemaType.Null;
        }
    }

    /// <summary>
    /// Timestamps as <c>{type: string, format: date-time}</c>: the API writes them with its own converter (always UTC,
    /// with <c>Z</c>), about which the schema exporter knows nothing, so it left them untyped and generated clients
    /// typed every timestamp as <c>unknown</c>.
    /// </summary>
    public static void DateTimeAsString(OpenApiSchema schema, Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if ((underlying ?? type) != typeof(DateTime) || schema.Type is not null)
        {
            return;
        }
        schema.Type = underlying is null ? JsonSchemaType.String : JsonSchemaType.String | JsonSchemaType.Null;
        schema.Format = "date-time";
    }

    /// <summary>
    /// A nullable raw JSON value (<c>JsonElement?</c>) is any JSON, null included: System.Text.Json wrote it as a
    /// <c>oneOf</c> of null and <c>JsonElement</c>, whose schema (<c>{}</c>) already takes null, so null matched both
    /// branches and strict validators rejected every null (a static segment's rules, a subscription without a filter).
    /// </summary>
    public static void NullableJsonAsAnyJson(OpenApiDocument document)
    {
        foreach (var schema in document.Components?.Schemas?.Values ?? [])
        {
            foreach (var (name, property) in schema.Properties?.ToList() ?? [])
            {
                if (property.OneOf is { Count: 2 } oneOf && oneOf.Any(branch => branch.Type == JsonSchemaType.Null)
                    && oneOf.OfType<OpenApiSchemaReference>().SingleOrDefault(branch => branch.Reference.Id == nameof(JsonElement)) is { } anyJson)
                {
                    schema.Properties![name] = anyJson;
                }
            }
        }
    }

    /// <summary>
    /// A list of raw JSON values (kept as <see cref="JsonElement"/> so each is read and answered on its own, as the bulk
    /// endpoints do) is an array of any JSON; without an <c>items</c> schema, linters reject the array.
    /// </summary>
    public static void JsonListItems(OpenApiSchema schema, Type type)
    {
        if (schema.Items is null && schema.Type is { } kind && kind.HasFlag(JsonSchemaType.Array) && type.IsAssignableTo(typeof(IEnumerable<JsonElement>)))
        {
            schema.Items = new OpenApiSchema();
        }
    }

    private static bool IsNull(System.Text.Json.Nodes.JsonNode? value) => value is null || value.GetValueKind() == JsonValueKind.Null;

    private static bool IsAcronym(string word) => word.Length > 1 && word.All(char.IsUpper);

    [GeneratedRegex("[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+")]
    private static partial Regex Word();
}
