using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CrmPlatform.Bench.Shared;

// Usage: dotnet build -c Release CrmPlatform.sln && dotnet run -c Release --no-build --project bench/LeadConversionBench -- [conversions]
var measured = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
const int Warmup = 20;
var stateDirectory = Path.Combine(Path.GetTempPath(), $"crm-bench-{Guid.NewGuid():N}");
var adminSecret = Guid.NewGuid().ToString("N");
void Log(string message) => Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {message}");

await using var host = PlatformProcess.StartAspire(stateDirectory, FreePort.Pick(), adminSecret);
var started = await host.WaitUntilHealthyAsync(TimeSpan.FromMinutes(10));
Log($"platform healthy after {started.Healthy.TotalSeconds:F1} s");
using var gateway = await host.CreateGatewayClientAsync("crm-admin", adminSecret);
// Leads are captured on Sales' own address so the gateway's rate limit (190 per 10 s per client) is spent on the
// conversions being measured, not on their set-up.
using var sales = new HttpClient { BaseAddress = host.ServiceUrl("Sales"), Timeout = TimeSpan.FromMinutes(2) };
sales.DefaultRequestHeaders.Authorization = gateway.DefaultRequestHeaders.Authorization;
foreach (var idle in new[] { "Marketing", "Service" })
{
    await host.StopServiceAsync(idle, TimeSpan.FromMinutes(1));
}

var leads = new List<Guid>();
for (var i = 0; i < Warmup + measured; i++)
{
    var suffix = Guid.NewGuid().ToString("N");
    var created = await sales.PostAsJsonAsync("/api/v1/leads", new
    {
        firstName = "Bench", lastName = $"Lead {i}", email = $"lead-{suffix}@bench.example", company = $"Bench {suffix}",
        companyDomain = $"{suffix}.bench.example", country = "DE", source = "api",
    });
    var body = await created.Content.ReadFromJsonAsync<JsonElement>();
    if (created.StatusCode != HttpStatusCode.Created)
    {
        throw new InvalidOperationException($"lead: {(int)created.StatusCode} {body}");
    }
    leads.Add(body.GetProperty("id").GetGuid());
}
Log($"{leads.Count} leads captured");

var timings = new List<double>();
var late = 0;
for (var i = 0; i < leads.Count; i++)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/leads/{leads[i]}/convert")
    {
        Content = JsonContent.Create(new { opportunity = new { amount = 1000m, currency = "EUR" } }),
    };
    request.Headers.Add("Prefer", "wait=10");
    var watch = Stopwatch.StartNew();
    using var answer = await gateway.SendAsync(request);
    watch.Stop();
    var state = (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString();
    if (answer.StatusCode == HttpStatusCode.Accepted)
    {
        // Not done within the wait: counted, and awaited so the next conversion does not queue behind it.
        late += i < Warmup ? 0 : 1;
        while (state == "requested")
        {
            await Task.Delay(250);
            state = (await gateway.GetFromJsonAsync<JsonElement>($"/api/v1/leads/{leads[i]}/conversion")).GetProperty("state").GetString();
        }
    }
    if (state != "completed")
    {
        throw new InvalidOperationException($"conversion of lead {leads[i]} ended {state}");
    }
    if (i >= Warmup)
    {
        timings.Add(watch.Elapsed.TotalMilliseconds);
    }
}

timings.Sort();
double Percentile(double p) => timings[(int)Math.Ceiling(p * timings.Count) - 1];
Console.WriteLine($"lead conversion through the gateway (Prefer: wait=10), {measured} sequential after {Warmup} warm-up: " +
    $"p50 {Percentile(0.50):F1} ms, p95 {Percentile(0.95):F1} ms, p99 {Percentile(0.99):F1} ms, max {timings[^1]:F1} ms; " +
    $"{late} not done within the wait; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
await host.StopAsync(TimeSpan.FromMinutes(2));
