using System.Text.Json;

namespace CrmPlatform.Tests.EndToEnd;

/// <summary>A span as Aspire's telemetry API returns it (OTLP JSON), with the service that reported it.</summary>
public sealed record Span(string Service, string SpanId, string? ParentSpanId, int Kind, string Name, IReadOnlyDictionary<string, string> Attributes)
{
    public const int Server = 2, Client = 3, Producer = 4, Consumer = 5;

    /// <summary>The spans of an answer of <c>/api/telemetry/traces/{id}</c> or <c>/api/telemetry/spans</c>.</summary>
    public static IReadOnlyList<Span> In(JsonElement answer) =>
        [.. answer.GetProperty("data").GetProperty("resourceSpans").EnumerateArray().SelectMany(resource =>
        {
            var service = AttributesOf(resource.GetProperty("resource"))["service.name"];
            return resource.GetProperty("scopeSpans").EnumerateArray()
                .SelectMany(scope => scope.GetProperty("spans").EnumerateArray())
                .Select(span => new Span(
                    service, span.GetProperty("spanId").GetString()!,
                    span.TryGetProperty("parentSpanId", out var parent) && parent.GetString() is { Length: > 0 } id ? id : null,
                    span.TryGetProperty("kind", out var kind) ? kind.GetInt32() : 0,
                    span.GetProperty("name").GetString()!, AttributesOf(span)));
        })];

    /// <summary>OTLP attributes (<c>[{key, value: {stringValue|intValue|…}}]</c>) as strings.</summary>
    public static IReadOnlyDictionary<string, string> AttributesOf(JsonElement owner) =>
        owner.TryGetProperty("attributes", out var attributes)
            ? attributes.EnumerateArray().ToDictionary(
                a => a.GetProperty("key").GetString()!,
                a => a.GetProperty("value").EnumerateObject().Select(v => v.Value.ToString()).FirstOrDefault() ?? "")
            : new Dictionary<string, string>();
}
