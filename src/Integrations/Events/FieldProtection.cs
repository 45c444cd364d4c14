using System.Text.Json.Nodes;

namespace CrmPlatform.Integrations.Events;

/// <summary>
/// What a subscription may see of a payload, in one place (issue 14, part 3). A field named below is removed wherever it
/// occurs in the event's JSON (at any depth: <c>person.email</c>, <c>submission.email</c>, <c>newPerson</c>…) unless the
/// subscription holds the scope that covers it. Names are the catalogue's (camelCase); a new contract field that holds
/// personal data must be added here.
/// <list type="bullet">
/// <item><c>people:read</c>: names, email addresses, phone numbers, postal addresses, display names, a GDPR export's data.</item>
/// <item><c>consents:read</c>: consent evidence — the wording shown, whether it was given, double opt-in, IP address,
/// user agent and page of a form submission.</item>
/// </list>
/// An erased person's stored events lose every protected field, whatever the scopes (<see cref="RedactAll"/>).
/// </summary>
public static class FieldProtection
{
    public const string PeopleRead = "people:read";
    public const string ConsentsRead = "consents:read";

    public static readonly IReadOnlyList<string> Scopes = [PeopleRead, ConsentsRead];

    private static readonly Dictionary<string, string> FieldScopes = new(StringComparer.Ordinal)
    {
        ["firstName"] = PeopleRead,
        ["lastName"] = PeopleRead,
        ["displayName"] = PeopleRead,
        ["personDisplayName"] = PeopleRead,
        ["email"] = PeopleRead,
        ["emails"] = PeopleRead,
        ["personEmail"] = PeopleRead,
        ["phone"] = PeopleRead,
        ["phones"] = PeopleRead,
        ["addresses"] = PeopleRead,
        ["newPerson"] = PeopleRead,
        ["data"] = PeopleRead,
        ["consents"] = ConsentsRead,
        ["consentGiven"] = ConsentsRead,
        ["doubleOptIn"] = ConsentsRead,
        ["ipAddress"] = ConsentsRead,
        ["userAgent"] = ConsentsRead,
        ["pageUrl"] = ConsentsRead,
    };

    /// <summary>The payload with the fields <paramref name="scopes"/> do not cover removed.</summary>
    public static JsonNode? Protect(string payload, IReadOnlyCollection<string> scopes)
    {
        var node = JsonNode.Parse(payload);
        Remove(node, field => !scopes.Contains(FieldScopes[field]));
        return node;
    }

    /// <summary>The payload without any protected field: what remains of an erased person's event.</summary>
    public static string RedactAll(string payload)
    {
        var node = JsonNode.Parse(payload);
        Remove(node, _ => true);
        return node?.ToJsonString() ?? "{}";
    }

    private static void Remove(JsonNode? node, Func<string, bool> remove)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    if (FieldScopes.ContainsKey(name) && remove(name))
                    {
                        obj.Remove(name);
                    }
                    else
                    {
                        Remove(obj[name], remove);
                    }
                }
                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Remove(item, remove);
                }
                break;
        }
    }
}
