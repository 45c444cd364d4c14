using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using CrmPlatform.AppHost.Processes;
using CrmPlatform.AppHost.Testing;

// Usage: dotnet build -c Release CrmPlatform.sln && dotnet run -c Release --project bench/PlatformBench -- [updates] [gets]
var updates = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
var gets = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2000;
// Not created here: the AppHost creates it with the rights PostgreSQL (running as its own user) needs.
var stateDirectory = Path.Combine(Path.GetTempPath(), $"crm-bench-{Guid.NewGuid():N}");
var gatewayPort = FreePort.Pick();
var dashboardPort = FreePort.Pick();
var timeout = TimeSpan.FromMinutes(5);
var adminSecret = Guid.NewGuid().ToString("N");
// This measures latency, not the limiter: lift the gateway's rate limits (inherited by the AppHost and its children).
Environment.SetEnvironmentVariable("RateLimits__PerClient", "1000000");
Environment.SetEnvironmentVariable("RateLimits__PerTenant", "1000000");

try
{
    var cold = await TimeStartAsync();
    var (warm, host) = (await TimeStartAsync(keepRunning: true))!.Value;
    await using (host)
    {
        var results = await Latency.MeasureAsync(host, adminSecret, updates, gets);
        var stop = Stopwatch.StartNew();
        await host.StopAsync(timeout);
        Report.Print(cold!.Value.Elapsed, warm, stop.Elapsed, results, updates, gets);
    }
}
finally
{
    if (Directory.Exists(stateDirectory))
    {
        Directory.Delete(stateDirectory, recursive: true);
    }
}

async Task<(TimeSpan Elapsed, AppHostProcess Host)?> TimeStartAsync(bool keepRunning = false)
{
    var clock = Stopwatch.StartNew();
    var host = AppHostProcess.Start(stateDirectory, gatewayPort, dashboardPort, $"--Identity:Bootstrap:ClientSecret={adminSecret}");
    await host.WaitUntilHealthyAsync(timeout);
    var elapsed = clock.Elapsed;
    Console.Error.WriteLine($"healthy after {elapsed.TotalSeconds:F1} s");
    if (keepRunning)
    {
        return (elapsed, host);
    }
    await host.StopAsync(timeout);
    await host.DisposeAsync();
    return (elapsed, host);
}

internal sealed record LatencyResults(double[] VisibleMs, double[] PutMs, double[] GatewayGetMs, double[] DirectGetMs);

internal static class Latency
{
    public static async Task<LatencyResults> MeasureAsync(AppHostProcess host, string adminSecret, int updates, int gets)
    {
        using var gateway = await host.CreateGatewayClientAsync("crm-admin", adminSecret);
        var sales = (await host.ResourcesAsync()).Single(r => r.Name == "sales").Urls.Values.First();
        using var direct = new HttpClient { BaseAddress = new Uri(sales) };
        direct.DefaultRequestHeaders.Authorization = gateway.DefaultRequestHeaders.Authorization;

        var email = $"bench-{Guid.NewGuid():N}@example.com";
        var person = await PostAsync(gateway, "/api/v1/people", new { firstName = "Bench", lastName = "L0", email });
        var personId = person.GetProperty("id").GetGuid();
        JsonElement opportunity;
        while (true)
        {
            var response = await gateway.PostAsJsonAsync("/api/v1/opportunities", new { name = "Bench", amount = 1, currency = "EUR", customerId = personId });
            if (response.IsSuccessStatusCode)
            {
                opportunity = await response.Content.ReadFromJsonAsync<JsonElement>();
                break;
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
            var put = await gateway.SendAsync(update);
            put.EnsureSuccessStatusCode();
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
            (await client.GetAsync(url)).EnsureSuccessStatusCode();
        }
        var times = new double[count];
        for (var i = 0; i < count; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await client.GetAsync(url);
            await response.Content.ReadAsByteArrayAsync();
            times[i] = clock.Elapsed.TotalMilliseconds;
        }
        return times;
    }

    private static async Task<JsonElement> PostAsync(HttpClient client, string url, object body)
    {
        var response = await client.PostAsJsonAsync(url, body);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}

internal static class Report
{
    public static void Print(TimeSpan cold, TimeSpan warm, TimeSpan stop, LatencyResults results, int updates, int gets)
    {
        Console.WriteLine($"| measure | result |");
        Console.WriteLine($"|---|---|");
        Console.WriteLine($"| cold start (empty state folder) until all resources healthy | {cold.TotalSeconds:F1} s |");
        Console.WriteLine($"| warm start (existing data) until all resources healthy | {warm.TotalSeconds:F1} s |");
        Console.WriteLine($"| graceful stop of everything (SIGTERM until exit) | {stop.TotalSeconds:F1} s |");
        Console.WriteLine($"| write in Contacts → visible in Sales, {updates} updates through the gateway | {Percentiles(results.VisibleMs)} |");
        Console.WriteLine($"| the PUT alone (gateway → Contacts → PostgreSQL) | {Percentiles(results.PutMs)} |");
        Console.WriteLine($"| GET opportunity through the gateway, {gets} sequential | {Percentiles(results.GatewayGetMs)} |");
        Console.WriteLine($"| GET opportunity directly from Sales (baseline), {gets} sequential | {Percentiles(results.DirectGetMs)} |");
        Console.WriteLine($"| gateway / direct, p50 | {Percentile(results.GatewayGetMs, 50) / Percentile(results.DirectGetMs, 50):F2}× |");
    }

    private static string Percentiles(double[] values) =>
        $"p50 {Percentile(values, 50):F1} ms · p99 {Percentile(values, 99):F1} ms · max {values.Max():F1} ms";

    private static double Percentile(double[] values, double percentile)
    {
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
