using System.Text.Json;
using System.Text.RegularExpressions;
using CrmPlatform.ServiceDefaults;
using Npgsql;
using NpgsqlTypes;

namespace CrmPlatform.Marketing.Segments;

/// <summary>A node of a validated rule tree.</summary>
public abstract record RuleNode;

/// <summary><c>{ "all": [...] }</c> (every child matches) or <c>{ "any": [...] }</c> (at least one does).</summary>
public sealed record RuleGroup(bool All, IReadOnlyList<RuleNode> Children) : RuleNode;

/// <summary>A condition on one field, its value already checked and normalized for the field.</summary>
public sealed record RuleLeaf(string Field, string Op, object? Value, string? CustomFieldKey = null) : RuleNode;

/// <summary>
/// Segment rules: a tree of <c>all</c>/<c>any</c> groups whose leaves are <c>{ "field", "op", "value" }</c> over the
/// contact replica (attributes from Contacts' events) and <see cref="ContactBehaviour"/> (behaviour from Sales', Service's
/// and Marketing's events). Parsing names the path of every mistake; compiling turns a tree into one SQL condition on a
/// contact row <c>c</c> with every value a parameter, so a segment is evaluated by PostgreSQL in one query.
/// </summary>
public static partial class SegmentRules
{
    public const int MaxDepth = 8;
    public const int MaxLeaves = 100;
    private const int MaxListValues = 500;

    private enum FieldType { Text, Tags, Organization, Custom, BehaviourRef, Flag, Days }

    private sealed record FieldSpec(FieldType Type, string[] Ops, string? Column = null, string? BehaviourKind = null);

    private static readonly string[] TextOps = ["eq", "neq", "in", "contains", "exists"];

    private static readonly Dictionary<string, FieldSpec> Fields = new(StringComparer.Ordinal)
    {
        ["lifecycleStage"] = new(FieldType.Text, TextOps, "c.lifecycle_stage"),
        ["industry"] = new(FieldType.Text, TextOps, "c.industry"),
        ["country"] = new(FieldType.Text, TextOps, "c.country"),
        ["tags"] = new(FieldType.Tags, ["contains", "in", "exists"]),
        ["organizationId"] = new(FieldType.Organization, ["eq", "neq", "in", "exists"]),
        ["openedCampaign"] = new(FieldType.BehaviourRef, ["eq", "exists"], BehaviourKind: BehaviourKinds.OpenedCampaign),
        ["clickedCampaign"] = new(FieldType.BehaviourRef, ["eq", "exists"], BehaviourKind: BehaviourKinds.ClickedCampaign),
        ["submittedForm"] = new(FieldType.BehaviourRef, ["eq", "exists"], BehaviourKind: BehaviourKinds.SubmittedForm),
        ["hasOpenOpportunity"] = new(FieldType.Flag, ["eq"], BehaviourKind: BehaviourKinds.OpenOpportunity),
        ["hasOpenTicket"] = new(FieldType.Flag, ["eq"], BehaviourKind: BehaviourKinds.OpenTicket),
        ["noActivityForDays"] = new(FieldType.Days, ["gte", "eq"]),
    };

    private static readonly string[] CustomOps = ["eq", "neq", "in", "contains", "exists", "gt", "gte", "lt", "lte"];
    private const string CustomPrefix = "customFields.";

    /// <summary>The fields rules may name, for error messages and docs.</summary>
    public static IEnumerable<string> FieldNames => Fields.Keys.Append(CustomPrefix + "<key>");

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex CustomKey();

    /// <summary>The validated tree, or null with the mistakes in <paramref name="errors"/> keyed by their path.</summary>
    public static RuleNode? Parse(JsonElement rules, string path, FieldErrors errors)
    {
        var leaves = 0;
        var node = ParseNode(rules, path, 1, errors, ref leaves);
        if (leaves > MaxLeaves)
        {
            errors.Add(path, $"A segment has at most {MaxLeaves} conditions.");
        }
        return errors.IsValid ? node : null;
    }

    private static RuleNode? ParseNode(JsonElement node, string path, int depth, FieldErrors errors, ref int leaves)
    {
        if (node.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path, "A rule is an object: { \"all\": [...] }, { \"any\": [...] } or { \"field\", \"op\", \"value\" }.");
            return null;
        }
        var hasAll = node.TryGetProperty("all", out var all);
        var hasAny = node.TryGetProperty("any", out var any);
        if (hasAll || hasAny)
        {
            if (hasAll && hasAny || node.EnumerateObject().Count() != 1)
            {
                errors.Add(path, "A group has exactly one property, \"all\" or \"any\".");
                return null;
            }
            if (depth > MaxDepth)
            {
                errors.Add(path, $"Groups nest at most {MaxDepth} deep.");
                return null;
            }
            var (children, name) = hasAll ? (all, "all") : (any, "any");
            if (children.ValueKind != JsonValueKind.Array || children.GetArrayLength() == 0)
            {
                errors.Add($"{path}.{name}", $"\"{name}\" is a non-empty array of rules.");
                return null;
            }
            var parsed = new List<RuleNode>();
            var index = 0;
            foreach (var child in children.EnumerateArray())
            {
                if (ParseNode(child, $"{path}.{name}[{index++}]", depth + 1, errors, ref leaves) is { } rule)
                {
                    parsed.Add(rule);
                }
            }
            return new RuleGroup(hasAll, parsed);
        }
        leaves++;
        return ParseLeaf(node, path, errors);
    }

    private static RuleLeaf? ParseLeaf(JsonElement node, string path, FieldErrors errors)
    {
        var unknown = node.EnumerateObject().Select(p => p.Name).Where(n => n is not ("field" or "op" or "value")).ToList();
        if (unknown.Count > 0)
        {
            errors.Add(path, $"Unknown properties: {string.Join(", ", unknown)}. A condition has \"field\", \"op\" and \"value\".");
            return null;
        }
        if (!node.TryGetProperty("field", out var fieldElement) || fieldElement.ValueKind != JsonValueKind.String)
        {
            errors.Add($"{path}.field", "field is required.");
            return null;
        }
        var field = fieldElement.GetString()!;
        string? customKey = null;
        FieldSpec? spec;
        if (field.StartsWith(CustomPrefix, StringComparison.Ordinal))
        {
            customKey = field[CustomPrefix.Length..];
            if (!CustomKey().IsMatch(customKey))
            {
                errors.Add($"{path}.field", "A custom field key has 1 to 64 letters, digits, '_' or '-'.");
                return null;
            }
            spec = new FieldSpec(FieldType.Custom, CustomOps);
        }
        else if (!Fields.TryGetValue(field, out spec))
        {
            errors.Add($"{path}.field", $"Unknown field '{field}'; one of: {string.Join(", ", FieldNames)}.");
            return null;
        }

        var op = node.TryGetProperty("op", out var opElement) && opElement.ValueKind == JsonValueKind.String ? opElement.GetString()! : null;
        if (op is null || !spec.Ops.Contains(op))
        {
            errors.Add($"{path}.op", $"op for {field} is one of: {string.Join(", ", spec.Ops)}.");
            return null;
        }
        var value = node.TryGetProperty("value", out var v) ? v : default;
        var valuePath = $"{path}.value";
        if (op == "exists")
        {
            // exists takes an optional boolean: false asks for the contacts without the field (or behaviour).
            if (value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
            {
                return new RuleLeaf(field, op, true, customKey);
            }
            if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                errors.Add(valuePath, "The value of exists is true or false (true when left out).");
                return null;
            }
            return new RuleLeaf(field, op, value.GetBoolean(), customKey);
        }

        object? parsed = spec.Type switch
        {
            FieldType.Text when op == "in" => Strings(value, valuePath, errors)?.Select(s => Normalize(field, s)).ToArray(),
            FieldType.Text => String(value, valuePath, errors) is { } s ? Normalize(field, s) : null,
            FieldType.Tags when op == "in" => Strings(value, valuePath, errors)?.Select(s => s.Trim().ToLowerInvariant()).ToArray(),
            FieldType.Tags => String(value, valuePath, errors)?.Trim().ToLowerInvariant(),
            FieldType.Organization when op == "in" => Guids(value, valuePath, errors),
            FieldType.Organization => Guid(value, valuePath, errors),
            FieldType.BehaviourRef => Guid(value, valuePath, errors),
            FieldType.Flag => value.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? value.GetBoolean()
                : Fail(errors, valuePath, "The value is true or false."),
            FieldType.Days => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var days) && days is >= 1 and <= 3650
                ? days
                : Fail(errors, valuePath, "The value is a whole number of days from 1 to 3650."),
            FieldType.Custom => CustomValue(op, value, valuePath, errors),
            _ => null,
        };
        return parsed is null ? null : new RuleLeaf(field, op, parsed, customKey);
    }

    private static object? Fail(FieldErrors errors, string path, string message)
    {
        errors.Add(path, message);
        return null;
    }

    // Contacts writes lifecycle stages in lower case and countries as upper-case ISO codes; industry is free text.
    private static string Normalize(string field, string value) => field switch
    {
        "country" => value.Trim().ToUpperInvariant(),
        _ => value.Trim().ToLowerInvariant(),
    };

    private static string? String(JsonElement value, string path, FieldErrors errors) =>
        value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 and <= 500 } s
            ? s
            : (string?)Fail(errors, path, "The value is a non-empty string of at most 500 characters.");

    private static string[]? Strings(JsonElement value, string path, FieldErrors errors)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() is 0 or > MaxListValues
            || value.EnumerateArray().Any(item => item.ValueKind != JsonValueKind.String || item.GetString() is not { Length: > 0 and <= 500 }))
        {
            return (string[]?)Fail(errors, path, $"The value of in is an array of 1 to {MaxListValues} non-empty strings.");
        }
        return value.EnumerateArray().Select(item => item.GetString()!).ToArray();
    }

    private static object? Guid(JsonElement value, string path, FieldErrors errors) =>
        value.ValueKind == JsonValueKind.String && System.Guid.TryParse(value.GetString(), out var id)
            ? id
            : Fail(errors, path, "The value is an id (a UUID).");

    private static Guid[]? Guids(JsonElement value, string path, FieldErrors errors)
    {
        var ids = new List<Guid>();
        if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() is > 0 and <= MaxListValues)
        {
            foreach (var item in value.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String && System.Guid.TryParse(item.GetString(), out var id))
                {
                    ids.Add(id);
                }
            }
        }
        return ids.Count == value.GetArrayLengthOrZero() && ids.Count > 0
            ? ids.ToArray()
            : (Guid[]?)Fail(errors, path, $"The value of in is an array of 1 to {MaxListValues} ids.");
    }

    private static int GetArrayLengthOrZero(this JsonElement value) => value.ValueKind == JsonValueKind.Array ? value.GetArrayLength() : 0;

    /// <summary>Custom field values are compared as JSON, so a number matches a number and a date string a date string.</summary>
    private static object? CustomValue(string op, JsonElement value, string path, FieldErrors errors) => op switch
    {
        "in" => value.ValueKind == JsonValueKind.Array && value.GetArrayLength() is > 0 and <= MaxListValues
                && value.EnumerateArray().All(item => item.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
            ? value.GetRawText()
            : Fail(errors, path, $"The value of in is an array of 1 to {MaxListValues} strings, numbers or booleans."),
        "contains" => String(value, path, errors),
        "gt" or "gte" or "lt" or "lte" => value.ValueKind is JsonValueKind.Number or JsonValueKind.String
            ? value.GetRawText()
            : Fail(errors, path, "The value is a number, or a string such as a date (yyyy-MM-dd)."),
        _ => value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False
            ? value.GetRawText()
            : Fail(errors, path, "The value is a string, a number or a boolean."),
    };

    /// <summary>Compiles a tree into a SQL condition on <c>c</c> (a directory_contacts row), adding its values to <paramref name="sql"/>.</summary>
    public static string Compile(RuleNode node, SqlParameters sql, DateTime now) => node switch
    {
        RuleGroup group => "(" + string.Join(group.All ? " AND " : " OR ", group.Children.Select(child => Compile(child, sql, now))) + ")",
        RuleLeaf leaf => CompileLeaf(leaf, sql, now),
        _ => throw new NotSupportedException(node.GetType().Name),
    };

    private static string CompileLeaf(RuleLeaf leaf, SqlParameters sql, DateTime now)
    {
        if (leaf.CustomFieldKey is { } key)
        {
            return CompileCustom(leaf, sql.Add(key, NpgsqlDbType.Text), sql);
        }
        var spec = Fields[leaf.Field];
        switch (spec.Type)
        {
            case FieldType.Text:
                // Industry is free text: compared without regard to case.
                var column = leaf.Field == "industry" ? "lower(c.industry)" : spec.Column!;
                return leaf.Op switch
                {
                    "eq" => $"{column} = {sql.Add(leaf.Value!, NpgsqlDbType.Text)}",
                    "neq" => $"{column} IS DISTINCT FROM {sql.Add(leaf.Value!, NpgsqlDbType.Text)}",
                    "in" => $"{column} = ANY({sql.Add(leaf.Value!, NpgsqlDbType.Array | NpgsqlDbType.Text)})",
                    "contains" => $"{spec.Column} ILIKE {sql.Add(Like((string)leaf.Value!), NpgsqlDbType.Text)}",
                    _ => Exists($"{spec.Column} IS NOT NULL", leaf),
                };
            case FieldType.Tags:
                return leaf.Op switch
                {
                    "contains" => $"{sql.Add(leaf.Value!, NpgsqlDbType.Text)} = ANY(c.tags)",
                    "in" => $"c.tags && {sql.Add(leaf.Value!, NpgsqlDbType.Array | NpgsqlDbType.Text)}",
                    _ => Exists("cardinality(c.tags) > 0", leaf),
                };
            case FieldType.Organization:
                return leaf.Op switch
                {
                    "eq" => $"c.organization_id = {sql.Add(leaf.Value!, NpgsqlDbType.Uuid)}",
                    "neq" => $"c.organization_id IS DISTINCT FROM {sql.Add(leaf.Value!, NpgsqlDbType.Uuid)}",
                    "in" => $"c.organization_id = ANY({sql.Add(leaf.Value!, NpgsqlDbType.Array | NpgsqlDbType.Uuid)})",
                    _ => Exists("c.organization_id IS NOT NULL", leaf),
                };
            case FieldType.BehaviourRef:
                var kind = sql.Add(spec.BehaviourKind!, NpgsqlDbType.Text);
                return leaf.Op == "eq"
                    ? $"EXISTS (SELECT 1 FROM contact_behaviours b WHERE b.tenant_id = c.tenant_id AND b.contact_id = c.id AND b.kind = {kind} AND b.ref_id = {sql.Add(leaf.Value!, NpgsqlDbType.Uuid)})"
                    : Exists($"EXISTS (SELECT 1 FROM contact_behaviours b WHERE b.tenant_id = c.tenant_id AND b.contact_id = c.id AND b.kind = {kind})", leaf);
            case FieldType.Flag:
                // An organization's open opportunity or ticket counts for its people too.
                var exists = $"EXISTS (SELECT 1 FROM contact_behaviours b WHERE b.tenant_id = c.tenant_id AND b.contact_id IN (c.id, c.organization_id) AND b.kind = {sql.Add(spec.BehaviourKind!, NpgsqlDbType.Text)} AND b.active)";
                return (bool)leaf.Value! ? exists : $"NOT {exists}";
            case FieldType.Days:
                var since = now.AddDays(-(int)leaf.Value!);
                return $"NOT EXISTS (SELECT 1 FROM contact_behaviours b WHERE b.tenant_id = c.tenant_id AND b.contact_id = c.id AND b.kind = ANY({sql.Add(BehaviourKinds.Engagement, NpgsqlDbType.Array | NpgsqlDbType.Text)}) AND b.occurred_at > {sql.Add(since, NpgsqlDbType.TimestampTz)})";
            default:
                throw new NotSupportedException(spec.Type.ToString());
        }
    }

    private static string CompileCustom(RuleLeaf leaf, string key, SqlParameters sql)
    {
        var field = $"(c.custom_fields -> {key})";
        string Json() => sql.Add((string)leaf.Value!, NpgsqlDbType.Jsonb);
        // jsonb orders values of one type naturally (numbers numerically, strings such as dates lexically); the type
        // check keeps a number from comparing with a string.
        string Compare(string op)
        {
            var value = Json();
            return $"(jsonb_typeof({field}) = jsonb_typeof({value}) AND {field} {op} {value})";
        }
        return leaf.Op switch
        {
            "eq" => $"{field} = {Json()}",
            "neq" => $"{field} IS DISTINCT FROM {Json()}",
            "in" => $"(jsonb_typeof({field}) IN ('string', 'number', 'boolean') AND {Json()} @> jsonb_build_array({field}))",
            "contains" => $"(CASE jsonb_typeof({field}) WHEN 'array' THEN {field} @> jsonb_build_array({sql.Add(leaf.Value!, NpgsqlDbType.Text)}::text) "
                + $"WHEN 'string' THEN ({field} #>> '{{}}') ILIKE {sql.Add(Like((string)leaf.Value!), NpgsqlDbType.Text)} ELSE false END)",
            "gt" => Compare(">"),
            "gte" => Compare(">="),
            "lt" => Compare("<"),
            "lte" => Compare("<="),
            _ => Exists($"c.custom_fields ? {key}", leaf),
        };
    }

    private static string Exists(string condition, RuleLeaf leaf) => (bool)leaf.Value! ? condition : $"NOT ({condition})";

    private static string Like(string value) =>
        "%" + value.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal) + "%";
}

/// <summary>The parameters of a compiled query: each value gets a name, and the SQL text only ever holds names.</summary>
public sealed class SqlParameters
{
    private readonly List<NpgsqlParameter> _parameters = [];

    public IReadOnlyList<NpgsqlParameter> All => _parameters;

    public string Add(object value, NpgsqlDbType type) => AddNamed($"p{_parameters.Count}", value, type);

    public string AddNamed(string name, object value, NpgsqlDbType type)
    {
        _parameters.Add(new NpgsqlParameter(name, type) { Value = value });
        return "@" + name;
    }
}
