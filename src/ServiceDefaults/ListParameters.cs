using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace CrmPlatform.ServiceDefaults;

/// <summary>
/// A list endpoint's query parameters (<c>limit</c>, <c>cursor</c>, <c>sort</c>, <c>filter[…]</c>), as endpoint metadata,
/// so its OpenAPI operation documents them: the handler reads them from the query string itself (to answer unknown
/// filters and sorts with 400), so the framework cannot see them. Built from the list's <c>ListFields</c>.
/// </summary>
public sealed record ListParameters(IReadOnlyList<string> Filters, IReadOnlyList<string> Sorts, int DefaultLimit, int MaxLimit);

public static class ListParametersDocs
{
    /// <summary>Adds the list's query parameters to its operation (those the handler binds itself are left as they are).</summary>
    public static void Document(OpenApiOperation operation, IList<object> endpointMetadata)
    {
        if (endpointMetadata.OfType<ListParameters>().LastOrDefault() is not { } list)
        {
            return;
        }
        operation.Parameters ??= [];
        var parameters = operation.Parameters;
        void Add(string name, OpenApiSchema schema, string description)
        {
            if (parameters.All(p => p.Name != name))
            {
                parameters.Add(new OpenApiParameter
                {
                    Name = name, In = ParameterLocation.Query, Schema = schema, Description = description,
                });
            }
        }
        Add("limit", new() { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "1", Maximum = $"{list.MaxLimit}" },
            $"Items per page, 1 to {list.MaxLimit} ({list.DefaultLimit} unless given).");
        Add("cursor", new() { Type = JsonSchemaType.String },
            "The previous page's nextCursor; it remembers the sort it was made for, so another sort with it is a 400.");
        Add("sort", new()
        {
            Type = JsonSchemaType.String,
            Enum = [.. list.Sorts.SelectMany(sort => new[] { sort, $"-{sort}" }).Select(value => (JsonNode)value)],
        }, "The order: a field, ascending, or with a leading '-' descending; any other is a 400.");
        foreach (var filter in list.Filters)
        {
            Add($"filter[{filter}]", new() { Type = JsonSchemaType.String }, $"Only items whose {filter} is this value; an unknown filter is a 400.");
        }
    }
}
