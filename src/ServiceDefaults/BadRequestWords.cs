using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CrmPlatform.ServiceDefaults;

/// <summary>
/// Says what was wrong with a request in the API's words: the field as the client wrote it (<c>addresses[0].country</c>)
/// and the JSON type the field takes, never the .NET type or parameter name the framework's own messages carry
/// (<c>System.Nullable`1[System.Decimal]</c>, <c>"OpportunityRequest request"</c>).
/// </summary>
public static partial class BadRequestWords
{
    /// <summary>A body that did not read as the endpoint's request type: (field or null for the whole body, what it must be).</summary>
    public static (string? Field, string Detail) ForJson(JsonException json, Type? bodyType, JsonSerializerOptions options)
    {
        if (!json.Message.Contains("could not be converted", StringComparison.Ordinal))
        {
            var where = json.LineNumber is { } line ? $" (line {line + 1}, position {json.BytePositionInLine + 1})" : "";
            return (null, $"The request body is not valid JSON{where}.");
        }
        var field = json.Path is { Length: > 1 } path ? path.TrimStart('$').TrimStart('.') : null;
        var expected = bodyType is null ? null : Expected(TypeAt(bodyType, json.Path ?? "$", options), options);
        return (field, (field, expected) switch
        {
            (null, null) => "The request body does not have the shape this resource takes.",
            (null, _) => $"The request body must be {expected}.",
            (_, null) => $"{field} does not have the shape this field takes.",
            _ => $"{field} must be {expected}.",
        });
    }

    /// <summary>The framework's binding messages, which name the handler's parameters by their .NET type, in the API's words.</summary>
    public static (string? Field, string Detail) ForBinding(string message)
    {
        if (BindingFailed().Match(message) is { Success: true } failed)
        {
            var name = failed.Groups["name"].Value;
            return (name, $"{name} must be {Expected(TypeNamed(failed.Groups["type"].Value), null) ?? "a valid value"} (got \"{failed.Groups["value"].Value}\").");
        }
        if (NotProvided().Match(message) is { Success: true } missing)
        {
            return missing.Groups["source"].Value == "body"
                ? (null, "A JSON request body is required.")
                : (missing.Groups["name"].Value, $"{missing.Groups["name"].Value} is required.");
        }
        if (message.Contains("body", StringComparison.OrdinalIgnoreCase) && message.Contains("parameter", StringComparison.Ordinal))
        {
            return (null, "A JSON request body is required.");
        }
        return (null, message.Contains("parameter", StringComparison.Ordinal) ? "The request could not be read." : message);
    }

    private static Type? TypeAt(Type type, string path, JsonSerializerOptions options)
    {
        Type? current = type;
        foreach (Match step in PathStep().Matches(path))
        {
            current = Unwrap(current!);
            if (step.Groups["index"].Success)
            {
                current = ElementType(current);
            }
            else
            {
                var name = step.Groups["name"].Value;
                current = current.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                    .FirstOrDefault(p => string.Equals(options.PropertyNamingPolicy?.ConvertName(p.Name) ?? p.Name, name, StringComparison.OrdinalIgnoreCase))?.PropertyType;
            }
            if (current is null)
            {
                return null;
            }
        }
        return current;
    }

    private static Type Unwrap(Type type) => Nullable.GetUnderlyingType(type) ?? type;

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];

    private static string? Expected(Type? type, JsonSerializerOptions? options)
    {
        if (type is null)
        {
            return null;
        }
        type = Unwrap(type);
        if (type.IsEnum)
        {
            var values = Enum.GetValues(type).Cast<object>().Select(value => options is null ? value.ToString()! : JsonSerializer.Serialize(value, type, options).Trim('"'));
            return $"one of {string.Join(", ", values)}";
        }
        return Type.GetTypeCode(type) switch
        {
            TypeCode.String or TypeCode.Char => "a string",
            TypeCode.Boolean => "true or false",
            TypeCode.Byte or TypeCode.SByte or TypeCode.Int16 or TypeCode.UInt16 or TypeCode.Int32 or TypeCode.UInt32 or TypeCode.Int64 or TypeCode.UInt64 => "an integer",
            TypeCode.Decimal or TypeCode.Double or TypeCode.Single => "a number",
            TypeCode.DateTime => "a date-time string (RFC 3339, e.g. 2026-12-06T09:30:00Z)",
            _ when type == typeof(Guid) => "a UUID string",
            _ when type == typeof(DateOnly) => "a date string (YYYY-MM-DD)",
            _ when type == typeof(TimeOnly) => "a time string (HH:MM or HH:MM:SS)",
            _ when type == typeof(DateTimeOffset) => "a date-time string (RFC 3339, e.g. 2026-12-06T09:30:00Z)",
            _ when type == typeof(TimeSpan) => "a duration string (e.g. 01:30:00)",
            _ when typeof(IDictionary).IsAssignableFrom(type) || type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>)) => "an object",
            _ when type != typeof(string) && ElementType(type) is not null => "an array",
            _ => "an object",
        };
    }

    private static Type? TypeNamed(string name) => name.TrimEnd('?') switch
    {
        "int" or "long" or "short" or "Int32" or "Int64" => typeof(int),
        "decimal" or "double" or "float" => typeof(decimal),
        "bool" or "Boolean" => typeof(bool),
        "Guid" => typeof(Guid),
        "DateOnly" => typeof(DateOnly),
        "DateTime" or "DateTimeOffset" => typeof(DateTime),
        "TimeOnly" => typeof(TimeOnly),
        "string" => typeof(string),
        _ => null,
    };

    [GeneratedRegex(@"\.(?<name>[^.\[]+)|\[(?<index>\d+)\]")]
    private static partial Regex PathStep();

    [GeneratedRegex("""Failed to bind parameter "(?<type>\S+) (?<name>\w+)" from "(?<value>.*)"\.""")]
    private static partial Regex BindingFailed();

    [GeneratedRegex("""Required parameter "(?<type>\S+) (?<name>\w+)" was not provided from (?<source>\w+)""")]
    private static partial Regex NotProvided();
}
