using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;

namespace CrmPlatform.AppHost.Telemetry.Otlp.Http;

/// <summary>
/// OTLP/JSON: the protobuf JSON mapping (lowerCamelCase names, enums as names or numbers, 64-bit integers as strings or
/// numbers, unknown fields ignored) except that trace and span ids are hex strings, not base64. The ids are rewritten
/// to base64, then the protobuf parser reads the rest.
/// </summary>
internal static class OtlpJson
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    // Only these field names hold ids (spans, links, log records, exemplars); attribute keys are values, never names.
    private static readonly HashSet<string> IdFields =
        ["traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id"];

    /// <exception cref="FormatException">An id that is not hex.</exception>
    /// <exception cref="JsonException">Not JSON.</exception>
    /// <exception cref="InvalidProtocolBufferException">JSON that is not this message.</exception>
    public static T Parse<T>(ReadOnlySpan<byte> utf8Json) where T : IMessage, new()
    {
        var node = JsonNode.Parse(utf8Json, documentOptions: new JsonDocumentOptions { MaxDepth = 128 })
            ?? throw new FormatException("The body is JSON null, not an export request.");
        RewriteIds(node);
        return Parser.Parse<T>(node.ToJsonString());
    }

    private static void RewriteIds(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    if (IdFields.Contains(name) && value is JsonValue id && id.TryGetValue<string>(out var hex))
                    {
                        obj[name] = HexToBase64(name, hex);
                    }
                    else if (value is not null)
                    {
                        RewriteIds(value);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    if (item is not null)
                    {
                        RewriteIds(item);
                    }
                }

                break;
        }
    }

    private static string HexToBase64(string field, string hex)
    {
        try
        {
            return Convert.ToBase64String(Convert.FromHexString(hex));
        }
        catch (FormatException)
        {
            throw new FormatException($"{field} '{Shorten(hex)}' is not a hex string (OTLP/JSON ids are hex, not base64).");
        }
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
