using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace CrmPlatform.Contracts.Catalogue;

/// <summary>
/// JSON Schemas of the contracts as the bus writes them: property names, which properties are written, and how each
/// value looks are read from the serializer's own contract (<see cref="JsonTypeInfo"/> of the bus's options), not
/// assumed. Records become named schemas under <c>components/schemas</c>.
/// </summary>
internal sealed class PayloadSchemas(JsonSerializerOptions options, XmlDocs docs)
{
    private readonly NullabilityInfoContext _nullability = new();
    private readonly SortedDictionary<string, JsonObject> _named = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, string> _names = [];

    /// <summary>Named schemas so far, by key.</summary>
    public IReadOnlyDictionary<string, JsonObject> Named => _named;

    /// <summary>A <c>$ref</c> to the named schema of a record, made on first use.</summary>
    public JsonObject Reference(Type type)
    {
        if (!_names.TryGetValue(type, out var key))
        {
            key = CatalogueMessages.Key(type);
            _names[type] = key;
            _named[key] = new JsonObject(); // placeholder first: records may refer to each other
            _named[key] = ObjectSchema(type);
        }
        return new JsonObject { ["$ref"] = $"#/components/schemas/{key}" };
    }

    private JsonObject ObjectSchema(Type type)
    {
        var info = options.GetTypeInfo(type);
        var properties = new JsonObject();
        var required = new JsonArray();
        var constructorParameters = type.GetConstructors().MaxBy(c => c.GetParameters().Length)?.GetParameters() ?? [];
        foreach (var property in info.Properties)
        {
            var member = (PropertyInfo)property.AttributeProvider!;
            var nullable = IsNullable(member);
            var schema = Schema(property.PropertyType, nullable && WritesNull(property));
            if (docs.Property(member) is { } description)
            {
                schema = WithDescription(schema, description);
            }
            properties[property.Name] = schema;
            // A field is always there when it cannot be null and is written whatever its value; a nullable one may be
            // left out (the bus skips nulls, or the field was added after events were published without it).
            var parameter = constructorParameters.FirstOrDefault(p => p.Name == member.Name);
            if (!nullable && WritesAlways(property) && (parameter is { HasDefaultValue: false } || property.IsRequired))
            {
                required.Add(property.Name);
            }
        }
        var result = new JsonObject { ["type"] = "object" };
        if (docs.Summary(type) is { } summary)
        {
            result["description"] = summary;
        }
        result["properties"] = properties;
        if (required.Count > 0)
        {
            result["required"] = required;
        }
        return result;
    }

    private bool WritesNull(JsonPropertyInfo property) =>
        options.DefaultIgnoreCondition is not (JsonIgnoreCondition.WhenWritingNull or JsonIgnoreCondition.WhenWritingDefault)
        && property.ShouldSerialize is null;

    private bool WritesAlways(JsonPropertyInfo property) =>
        options.DefaultIgnoreCondition is not JsonIgnoreCondition.WhenWritingDefault && property.ShouldSerialize is null;

    private bool IsNullable(PropertyInfo property) =>
        Nullable.GetUnderlyingType(property.PropertyType) is not null
        || (!property.PropertyType.IsValueType && _nullability.Create(property).ReadState == NullabilityState.Nullable);

    private JsonObject Schema(Type type, bool nullable)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        var schema = ValueSchema(underlying);
        if (!nullable)
        {
            return schema;
        }
        if (schema["$ref"] is not null)
        {
            return new JsonObject { ["oneOf"] = new JsonArray(schema, new JsonObject { ["type"] = "null" }) };
        }
        // An empty schema (any JSON value) admits null already.
        if (schema["type"] is JsonValue single)
        {
            schema["type"] = new JsonArray(single.GetValue<string>(), "null");
        }
        return schema;
    }

    private JsonObject ValueSchema(Type type)
    {
        if (type == typeof(string)) return Typed("string");
        if (type == typeof(Guid)) return Typed("string", "uuid");
        if (type == typeof(DateTime) || type == typeof(DateTimeOffset)) return Typed("string", "date-time");
        if (type == typeof(DateOnly)) return Typed("string", "date");
        if (type == typeof(bool)) return Typed("boolean");
        if (type == typeof(int)) return Numeric(1, "integer", "int32");
        if (type == typeof(long)) return Numeric(1L, "integer", "int64");
        if (type == typeof(decimal)) return Numeric(1.5m, "number", null);
        if (type == typeof(double)) return Numeric(1.5d, "number", null);
        if (type == typeof(JsonElement)) return []; // any JSON value: its shape is data, not schema
        if (type.IsEnum) return EnumSchema(type);

        // Collections by their shape: MassTransit's converters take over some of them, so the serializer's own
        // metadata does not always say "dictionary" or "list".
        if (Implemented(type, typeof(IReadOnlyDictionary<,>)) is [var key, var value] && key == typeof(string))
        {
            return new JsonObject { ["type"] = "object", ["additionalProperties"] = ValueSchema(value) };
        }
        if (type.IsArray || Implemented(type, typeof(IEnumerable<>)) is [_])
        {
            var item = type.IsArray ? type.GetElementType()! : Implemented(type, typeof(IEnumerable<>))![0];
            return new JsonObject { ["type"] = "array", ["items"] = ValueSchema(item) };
        }
        if (type.Namespace?.StartsWith("CrmPlatform.Contracts", StringComparison.Ordinal) == true
            && options.GetTypeInfo(type).Kind == JsonTypeInfoKind.Object)
        {
            return Reference(type);
        }
        // A new kind of field must be described on purpose rather than guessed: the catalogue tests fail here.
        throw new NotSupportedException($"The event catalogue has no JSON Schema for {type} yet.");
    }

    /// <summary>The type arguments of the generic interface <paramref name="definition"/> that <paramref name="type"/> is or implements.</summary>
    private static Type[]? Implemented(Type type, Type definition) =>
        new[] { type }.Concat(type.GetInterfaces())
            .FirstOrDefault(t => t.IsGenericType && t.GetGenericTypeDefinition() == definition)?.GetGenericArguments();

    /// <summary>An enum as the bus writes it: each value serialized with the bus's options (names or numbers).</summary>
    private JsonObject EnumSchema(Type type)
    {
        var values = new JsonArray(Enum.GetValues(type).Cast<object>()
            .Select(value => JsonSerializer.SerializeToNode(value, type, options)).ToArray());
        var kind = values.All(v => v!.GetValueKind() == JsonValueKind.String) ? "string" : "integer";
        return new JsonObject { ["type"] = kind, ["enum"] = values };
    }

    /// <summary>
    /// A number as the bus writes it: MassTransit's options write decimals as JSON strings (no precision is lost to a
    /// double on the way), so the schema asks for what a sample value really serializes to.
    /// </summary>
    private JsonObject Numeric(object sample, string type, string? format)
    {
        if (JsonSerializer.SerializeToNode(sample, sample.GetType(), options)!.GetValueKind() != JsonValueKind.String)
        {
            return Typed(type, format);
        }
        var pattern = type == "integer" ? @"^-?[0-9]+$" : @"^-?[0-9]+(\.[0-9]+)?$";
        return new JsonObject { ["type"] = "string", ["pattern"] = pattern };
    }

    private static JsonObject Typed(string type, string? format = null)
    {
        var schema = new JsonObject { ["type"] = type };
        if (format is not null)
        {
            schema["format"] = format;
        }
        return schema;
    }

    /// <summary>Beside a <c>$ref</c> a description would be ignored (draft 7), so the reference is wrapped.</summary>
    private static JsonObject WithDescription(JsonObject schema, string description)
    {
        if (schema["$ref"] is not null)
        {
            return new JsonObject { ["description"] = description, ["allOf"] = new JsonArray(schema) };
        }
        var described = new JsonObject { ["description"] = description };
        foreach (var (name, value) in schema)
        {
            described[name] = value?.DeepClone();
        }
        return described;
    }
}
