using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CrmPlatform.Contracts.Catalogue;

/// <summary>
/// One example instance of every message, built from its constructor and added properties so that a new field or
/// message gets an example without anyone writing one. Values come by field name (the same id for <c>tenantId</c>
/// everywhere, a realistic email for <c>email</c>…) or, for a string documented with its values, the first of them.
/// The catalogue serializes these instances with the bus's own options, so an example cannot disagree with the wire.
/// </summary>
public static class ExampleMessages
{
    private static readonly DateTime At = new(2026, 3, 2, 9, 30, 0, DateTimeKind.Utc);

    private static readonly Dictionary<string, string> Strings = new(StringComparer.OrdinalIgnoreCase)
    {
        ["firstName"] = "Ada", ["lastName"] = "Lovelace", ["displayName"] = "Ada Lovelace", ["personDisplayName"] = "Ada Lovelace",
        ["email"] = "ada@example.com", ["personEmail"] = "ada@example.com", ["address"] = "ada@example.com",
        ["phone"] = "+4930123456", ["number"] = "+4930123456", ["phoneRegion"] = "DE",
        ["jobTitle"] = "Head of Engineering", ["company"] = "Acme", ["companyDomain"] = "acme.example", ["domain"] = "acme.example",
        ["name"] = "Acme", ["organizationName"] = "Acme", ["organizationDomain"] = "acme.example",
        ["industry"] = "software", ["country"] = "DE", ["region"] = "BE", ["postalCode"] = "10115", ["city"] = "Berlin", ["street"] = "Unter den Linden 1",
        ["language"] = "en", ["currency"] = "EUR", ["segment"] = "enterprise", ["size"] = "51-200", ["rating"] = "warm",
        ["lifecycleStage"] = "customer", ["preferredChannel"] = "email", ["type"] = "work", ["status"] = "granted",
        ["purpose"] = "newsletter", ["channel"] = "email", ["kind"] = "person", ["service"] = "sales",
        ["subject"] = "Call back about the renewal", ["description"] = "Compiler licence", ["sku"] = "COBOL-1",
        ["title"] = "Resetting your password", ["reason"] = "No budget this year", ["lostReason"] = "price",
        ["competitor"] = "Globex", ["alternativeChosen"] = "Globex", ["detail"] = "The email address is not valid.",
        ["message"] = "Please call me about a demo.", ["productInterest"] = "crm", ["url"] = "https://acme.example/pricing",
        ["category"] = "billing", ["topic"] = "invoices", ["product"] = "crm", ["priority"] = "normal",
        ["fromStage"] = "qualification", ["stage"] = "proposal", ["previousStatus"] = "open", ["sourceReference"] = "form-submission-42",
        ["strength"] = "strong", ["rule"] = "email", ["field"] = "email", ["target"] = "first-response",
    };

    /// <summary>Where a field's name alone would mislead (a <c>status</c> of a ticket is no consent's): by record and field.</summary>
    private static readonly Dictionary<string, string> FieldStrings = new(StringComparer.Ordinal)
    {
        ["ActivityLogged.kind"] = "call", ["CsatReceived.rating"] = "good", ["LeadSnapshot.status"] = "new",
        ["TicketSnapshot.status"] = "open", ["TicketSnapshot.channel"] = "email", ["OpportunitySnapshot.name"] = "Compiler licences",
        ["TicketUpdated.previousStatus"] = "new", ["LikelyMatch.displayName"] = "Ada Lovelace",
    };

    /// <summary>The example of a message type (an event, a request or a response).</summary>
    public static object For(Type type) => Build(type, "");

    private static object Build(Type type, string name)
    {
        var constructor = type.GetConstructors().MaxBy(c => c.GetParameters().Length)
            ?? throw new NotSupportedException($"{type} has no public constructor for an example.");
        var docs = Docs.Value;
        var arguments = constructor.GetParameters()
            .Select(p => Value(type, p.ParameterType, p.Name!, docs.Param(type, p.Name!)))
            .ToArray();
        var instance = constructor.Invoke(arguments);
        // Properties added after a contract's first release are init-only: set them too, so the example shows them.
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                     .Where(p => p.SetMethod is not null && constructor.GetParameters().All(c => c.Name != p.Name)))
        {
            property.SetValue(instance, Value(type, property.PropertyType, property.Name, docs.Summary(property)));
        }
        return instance;
    }

    private static object? Value(Type owner, Type type, string name, string? doc)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        var camel = char.ToLowerInvariant(name[0]) + name[1..];
        if (underlying == typeof(string)) return FieldStrings.GetValueOrDefault($"{owner.Name}.{camel}") ?? Text(camel, doc);
        if (underlying == typeof(Guid)) return IdOf(camel);
        if (underlying == typeof(DateTime)) return camel.EndsWith("Until", StringComparison.Ordinal) || camel.StartsWith("due", StringComparison.Ordinal) ? At.AddDays(30) : At;
        if (underlying == typeof(DateOnly)) return DateOnly.FromDateTime(At.AddDays(90));
        if (underlying == typeof(bool)) return camel is "personCreated" or "createLead" or "consentGiven" or "isComplete" or "hasComment" or "opportunityAmountSet" or "primary" or "actorSeesWholeTenant";
        if (underlying == typeof(int) || underlying == typeof(long))
        {
            var number = camel switch
            {
                "version" => 3, "revision" => 1, "probability" => 40, "score" or "points" => 85, "number" => 1042,
                "durationMinutes" => 30, "employeeCount" => 120, "warningPercent" => 75, _ => 1,
            };
            return underlying == typeof(long) ? (object)(long)number : number;
        }
        if (underlying == typeof(decimal))
        {
            return camel switch
            {
                "amount" => 20000m, "quantity" => 25m, "unitPrice" => 1000m, "discountPercent" => 10m, "taxRate" => 19m,
                "netAmount" or "subtotal" => 22500m, "taxAmount" or "taxTotal" => 4275m, "total" => 26775m, "similarity" => 0.92m, _ => 1m,
            };
        }
        if (underlying == typeof(JsonElement))
        {
            return JsonSerializer.SerializeToElement(new Dictionary<string, object>
            {
                ["opportunities"] = new[] { new { id = IdOf("opportunityId"), name = "Pilot", amount = 12000 } },
            });
        }
        if (underlying.IsEnum) return Enum.GetValues(underlying).GetValue(0);
        if (underlying.IsGenericType && underlying.GetGenericArguments() is [var key, var element] && key == typeof(string))
        {
            var dictionary = (System.Collections.IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(key, element))!;
            var (entry, entryName) = camel switch
            {
                "customFields" => ("contract-end", "customField"),
                "erased" => ("opportunities", "count"),
                _ => ("email", camel),
            };
            dictionary[entry] = element == typeof(JsonElement)
                ? JsonSerializer.SerializeToElement("2027-06-30")
                : Value(owner, element, entryName, null);
            return dictionary;
        }
        if (underlying.IsArray || (underlying.IsGenericType && underlying.GetGenericArguments() is [var item] && typeof(System.Collections.IEnumerable).IsAssignableFrom(underlying)))
        {
            var itemType = underlying.IsArray ? underlying.GetElementType()! : underlying.GetGenericArguments()[0];
            var array = Array.CreateInstance(itemType, 1);
            array.SetValue(Value(owner, itemType, ItemName(camel), null), 0);
            return array;
        }
        if (underlying.Namespace?.StartsWith("CrmPlatform.Contracts", StringComparison.Ordinal) == true) return Build(underlying, camel);
        throw new NotSupportedException($"No example value for {type} ({name}).");
    }

    /// <summary>A list's item is named like the list in the singular (<c>tags</c> → <c>tag</c>, <c>teamIds</c> → <c>teamId</c>).</summary>
    private static string ItemName(string list) => list switch
    {
        "tags" => "tag", "roles" => "role", "changedFields" => "changedField", "productInterests" => "productInterest",
        "emails" => "email", "phones" => "phone", "values" => "email", "errors" => "detail",
        _ when list.EndsWith("Ids", StringComparison.Ordinal) => list[..^1],
        _ => list,
    };

    private static string Text(string name, string? doc)
    {
        if (Strings.TryGetValue(name, out var known)) return known;
        return name switch
        {
            "tag" => "vip",
            "role" => "sales-rep",
            "changedField" => "status",
            "productInterest" => "crm",
            _ when name.EndsWith("Id", StringComparison.Ordinal) || name.EndsWith("By", StringComparison.Ordinal) => IdOf("userId").ToString(), // users and API clients are known by id
            _ when doc is not null && FirstCode(doc) is { } documented => documented,
            _ => $"{name} example",
        };
    }

    /// <summary>The first <c>`value`</c> a field's documentation names: the documented values of a string field.</summary>
    private static string? FirstCode(string doc)
    {
        var start = doc.IndexOf('`');
        var end = start < 0 ? -1 : doc.IndexOf('`', start + 1);
        return end > start + 1 ? doc[(start + 1)..end] : null;
    }

    /// <summary>The same field name gets the same id in every example, so examples that belong together agree.</summary>
    private static Guid IdOf(string name)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(name))[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40); // version 4 layout, as a real random id would have
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    private static readonly Lazy<ExampleDocs> Docs = new(() => new(XmlDocs.For(typeof(IIntegrationEvent).Assembly)));

    private sealed class ExampleDocs(XmlDocs docs)
    {
        public string? Param(Type type, string name) => type.GetProperty(name) is { } property ? docs.Property(property) : null;

        public string? Summary(PropertyInfo property) => docs.Property(property);
    }
}
