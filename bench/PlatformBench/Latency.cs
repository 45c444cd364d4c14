using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using CrmPlatform.Bench.Shared;

namespace CrmPlatform.PlatformBench;

internal sealed record LatencyResults(double[] VisibleMs, double[] PutMs, double[] GatewayGetMs, double[] DirectGetMs);

/// <summary>
/// Through the gateway with the bootstrap admin client's token: a person and an opportunity for them, then the person
/// renamed N times, each time reading the opportunity until Sales shows the new name; then GETs of the opportunity
/// through the gateway and straight from Sales.
/// </summary>
internal static class Latency
{
    public static async Task<LatencyResults> MeasureAsync(PlatformProcess platform, string adminSecret, int updates, int gets)
    {
        using var gateway = await platform.CreateGatewayClientAsync("crm-admin", adminSecret);
        using var direct = new HttpClient { BaseAddress = platform.ServiceUrl("Sales") };
        direct.DefaultRequestHeaders.Authorization = gateway.DefaultRequestHeaders.Authorization;

        var email = $"bench-{Guid.NewGuid():N}@example.com";
        var person = await PostAsync(gateway, "/api/v1/people", new { firstName = "Bench", lastName = "L0", email });
        var personId = person.GetProperty("id").GetGuid();
        JsonElement opportunity;
        var known = Stopwatch.StartNew();
        while (true)
        {
            // Sales accepts the opportunity once it has learnt of the person.
            using var response = await gateway.PostAsJsonAsync("/api/v1/opportunities", new { name = "Bench", amount = 1, currency = "EUR", customerId = personId });
            if (response.IsSuccessStatusCode)
            {
                opportunity = await response.Content.ReadFromJsonAsync<JsonElement>();
                break;
            }

            if (known.Elapsed > TimeSpan.FromMinutes(1))
            {
                throw new InvalidOperationException($"Sales did not learn of the person within a minute: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }

            await Task.Delay(10);
        }

        var opportunityUrl = $"/api/v1/opportunities/{opportunity.GetProperty("id").GetGuid()}";
        var visible = new double[updates];
        var puts = new double[updates];
        for (var i = 0; i < updates; i++)
        {
            var lastName = $"L{i + 1}";
            var clock = Stopwatch.StartNew();
            using var update = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/people/{personId}")
            {
                Content = JsonContent.Create(new { firstName = "Bench", lastName, email }),
            };
            update.Headers.TryAddWithoutValidation("If-Match", $"\"{i + 1}\"");
            using (var put = await gateway.SendAsync(update))
            {
                put.EnsureSuccessStatusCode();
            }

            puts[i] = clock.Elapsed.TotalMilliseconds;
            while (true)
            {
                var read = await gateway.GetFromJsonAsync<JsonElement>(opportunityUrl);
                if (read.GetProperty("customer").GetProperty("displayName").GetString() == $"Bench {lastName}")
                {
                    break;
                }
            }

            visible[i] = clock.Elapsed.TotalMilliseconds;
        }

        return new LatencyResults(visible, puts, await TimeGetsAsync(gateway, opportunityUrl, gets), await TimeGetsAsync(direct, opportunityUrl, gets));
    }

    private static async Task<double[]> TimeGetsAsync(HttpClient client, string url, int count)
    {
        for (var i = 0; i < 50; i++)
        {
            using var warmUp = await client.GetAsync(url);
            warmUp.EnsureSuccessStatusCode();
        }

        var times = new double[count];
        for (var i = 0; i < count; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await client.GetAsync(url);
            await response.Content.ReadAsByteArrayAsync();
            response.EnsureSuccessStatusCode();
            times[i] = clock.Elapsed.TotalMilliseconds;
        }

        return times;
    }

    private static async Task<JsonElement> PostAsync(HttpClient client, string url, object body)
    {
        using var response = await client.PostAsJsonAsync(url, body);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
