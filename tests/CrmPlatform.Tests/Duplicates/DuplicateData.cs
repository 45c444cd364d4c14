using System.Net;
using System.Text.Json;
using CrmPlatform.Tests.Infrastructure;

namespace CrmPlatform.Tests.Duplicates;

/// <summary>People and organizations that match nobody else's test data unless a test makes them.</summary>
public static class DuplicateData
{
    public static string NewPhone() => Api.NewPhone();

    public static string NewName(string prefix) => prefix + Guid.NewGuid().ToString("N")[..10];

    public static string NewEmail(string domain = "example.com") => $"{Guid.NewGuid():N}@{domain}";

    public static object Person(string firstName, string lastName, string? email = null, string? phone = null, Guid? organizationId = null) =>
        new { firstName, lastName, email = email ?? NewEmail(FreeMail), phone, organizationId };

    /// <summary>A free mail domain: shared by strangers, so the rules never count it as a company in common.</summary>
    public const string FreeMail = "gmail.com";

    /// <summary>The open pair of these two records in the review list, if listed.</summary>
    public static async Task<JsonElement?> PairAsync(HttpClient client, string kind, Guid a, Guid b)
    {
        var items = (await client.GetJsonAsync($"/api/v1/duplicates?kind={kind}&limit=200&sort=-createdAt")).Items();
        return items.Cast<JsonElement?>().FirstOrDefault(p =>
        {
            var ids = p!.Value.GetProperty("records").EnumerateArray().Select(r => r.Id()).ToHashSet();
            return ids.SetEquals([a, b]);
        });
    }

    public static IEnumerable<string> Rules(this JsonElement reasons) => reasons.EnumerateArray().Select(r => r.Str("rule"));
}
