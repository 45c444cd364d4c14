using System.Text.Json.Nodes;
using Json.Schema;

namespace CrmPlatform.Tests.Infrastructure;

/// <summary>
/// One schema of an OpenAPI or AsyncAPI document as a standalone JSON Schema 2020-12 (the document's component schemas
/// become its <c>$defs</c>, references into <c>components/schemas</c> rebased onto them), and how a failed evaluation
/// is told: what the response contract and the event catalogue's tests both need.
/// </summary>
public static class StandaloneSchema
{
    public static readonly EvaluationOptions Options = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    public static JsonSchema From(JsonNode document, JsonNode schema)
    {
        var definitions = new JsonObject();
        foreach (var (name, component) in document["components"]?["schemas"]?.AsObject() ?? [])
        {
            definitions[name] = JsonNode.Parse(Rebased(component!.ToJsonString()));
        }
        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$defs"] = definitions,
            ["allOf"] = new JsonArray(JsonNode.Parse(Rebased(schema.ToJsonString()))),
        };
        return JsonSchema.FromText(root.ToJsonString());
    }

    /// <summary>The first few failures: their messages, or where in the schema the instance failed when a keyword gives none.</summary>
    public static string Explained(EvaluationResults result)
    {
        // A branch that failed inside a keyword that passed (one side of a oneOf) is no reason; only failures all the way up are.
        var passed = (result.Details ?? []).Where(d => d.IsValid).Select(d => d.EvaluationPath.ToString()).Where(p => p.Length > 0).ToList();
        var failed = (result.Details ?? []).Where(d => !d.IsValid && !passed.Any(p => d.EvaluationPath.ToString().StartsWith(p + "/", StringComparison.Ordinal))).ToList();
        var messages = failed.Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")).ToList();
        return string.Join("; ", (messages.Count > 0 ? messages : failed.Select(d => $"{d.InstanceLocation} fails {d.EvaluationPath}")).Take(5));
    }

    private static string Rebased(string schema) => schema.Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal);
}
