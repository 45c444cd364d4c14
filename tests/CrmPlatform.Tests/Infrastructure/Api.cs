using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace CrmPlatform.Tests.Infrastructure;

/// <summary>An HTTP answer with its body parsed as JSON (default when empty).</summary>
public sealed record ApiAnswer(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response);

/// <summary>Small helpers to talk JSON to an API and read answers as the wire shows them.</summary>
public static class Api
{
    public static async Task<ApiAnswer> SendJsonAsync(
        this HttpClient client, HttpMethod method, string url, object? body = null, string? ifMatch = null,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        if (body is string raw)
        {
            request.Content = new StringContent(raw, System.Text.Encoding.UTF8, "application/json");
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return new ApiAnswer(response.StatusCode, json, response);
    }

    public static Task<ApiAnswer> PostJsonAsync(this HttpClient client, string url, object body) =>
        client.SendJsonAsync(HttpMethod.Post, url, body);

    public static Task<ApiAnswer> PutJsonAsync(this HttpClient client, string url, object body, string? ifMatch) =>
        client.SendJsonAsync(HttpMethod.Put, url, body, ifMatch);

    public static Task<ApiAnswer> GetJsonAsync(this HttpClient client, string url) =>
        client.SendJsonAsync(HttpMethod.Get, url);

    public static Task<ApiAnswer> DeleteJsonAsync(this HttpClient client, string url, string? ifMatch) =>
        client.SendJsonAsync(HttpMethod.Delete, url, ifMatch: ifMatch);

    /// <summary>The body of a 201, failing with the answer when it is anything else.</summary>
    public static async Task<JsonElement> CreatedAsync(this Task<ApiAnswer> answer)
    {
        var done = await answer;
        Assert.True(done.Status == HttpStatusCode.Created, $"Expected 201, got {(int)done.Status}: {done.Body}");
        return done.Body;
    }

    /// <summary>The items of a 200 list page.</summary>
    public static List<JsonElement> Items(this ApiAnswer answer)
    {
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        return [.. answer.Body.GetProperty("items").EnumerateArray()];
    }

    public static Guid Id(this JsonElement json) => json.GetProperty("id").GetGuid();

    /// <summary>The ETag of a record as the API reports it (its version), for If-Match.</summary>
    public static string ETag(this JsonElement json) => $"\"{json.GetProperty("version").GetInt32()}\"";

    /// <summary>If-Match for tests that only care that the request gets past the precondition.</summary>
    public const string AnyVersion = "*";

    public static string Str(this JsonElement json, string property) => json.GetProperty(property).GetString()!;

    /// <summary>Asserts an RFC 9457 problem with the given status and a trace id.</summary>
    public static void AssertProblem(this ApiAnswer answer, HttpStatusCode expected)
    {
        Assert.Equal(expected, answer.Status);
        Assert.Equal("application/problem+json", answer.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)expected, answer.Body.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(answer.Body.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrEmpty(answer.Body.GetProperty("traceId").GetString()));
    }

    private static int _phone = Random.Shared.Next(0, 9000);

    /// <summary>
    /// A London number (020 7946 xxxx is reserved for drama) that no other person of this test run has: the same
    /// phone and name is a strong duplicate, which a create refuses.
    /// </summary>
    public static string NewPhone() => $"+44207946{Interlocked.Increment(ref _phone) % 10000:D4}";

    public static object NewPerson(string? email = null, Guid? organizationId = null, string firstName = "Ada", string lastName = "Lovelace") => new
    {
        firstName,
        lastName,
        email = email ?? $"{Guid.NewGuid():N}@example.com",
        phone = NewPhone(),
        jobTitle = "Analyst",
        organizationId,
    };
}
