using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using CrmPlatform.Bench.Shared;
using static CrmPlatform.Bench.Shared.Stats;

// Usage: dotnet build -c Release CrmPlatform.sln && dotnet run -c Release --no-build --project bench/BulkBench -- [rounds] [items]
// Each round sends [items] new people in one POST /api/v1/people/bulk (all created), then the same people again with
// a changed job title and tag (all updated, matched by email); rounds alternate between the gateway and Contacts'
// own address, so the gateway's share is measured in the same run. Integrations keeps logging every event; each
// request waits for the machine to settle from the previous one's.
var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 8;
var size = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000;
var stateDirectory = Path.Combine(Path.GetTempPath(), $"crm-bench-{Guid.NewGuid():N}");
var adminSecret = Guid.NewGuid().ToString("N");
void Log(string message) => Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {message}");

await using var host = PlatformProcess.StartAspire(stateDirectory, FreePort.Pick(), adminSecret);
var started = await host.WaitUntilHealthyAsync(TimeSpan.FromMinutes(10));
Log($"platform healthy after {started.Healthy.TotalSeconds:F1} s");
// Sales, Service and Marketing stopped, as in the other benches: on these two cores their replicas of each request's
// thousand events (minutes of work at load 15–30, seen in a first run) would be measured instead of the request.
foreach (var service in new[] { "Sales", "Service", "Marketing" })
{
    await host.StopServiceAsync(service, TimeSpan.FromMinutes(1));
}
using var token = await host.CreateGatewayClientAsync("crm-admin", adminSecret);
using var gateway = new HttpClient { BaseAddress = host.Gateway, Timeout = TimeSpan.FromMinutes(2) };
using var direct = new HttpClient { BaseAddress = host.ServiceUrl("Contacts"), Timeout = TimeSpan.FromMinutes(2) };
gateway.DefaultRequestHeaders.Authorization = direct.DefaultRequestHeaders.Authorization = token.DefaultRequestHeaders.Authorization;

var timings = new Dictionary<(string Path, string Kind), List<double>>();
async Task<double> SendAsync(HttpClient client, string path, object[] items, string kind, int expectedStatus)
{
    var clock = Stopwatch.StartNew();
    using var response = await client.PostAsJsonAsync("/api/v1/people/bulk", new { items });
    var body = await response.Content.ReadFromJsonAsync<JsonElement>();
    var elapsed = clock.Elapsed.TotalMilliseconds;
    response.EnsureSuccessStatusCode();
    var wrong = body.GetProperty("results").EnumerateArray().Count(r => r.GetProperty("status").GetInt32() != expectedStatus);
    if (wrong > 0)
    {
        throw new InvalidOperationException($"{wrong} of {items.Length} items did not answer {expectedStatus}: {body.GetRawText()[..Math.Min(600, body.GetRawText().Length)]}");
    }
    (timings.TryGetValue((path, kind), out var list) ? list : timings[(path, kind)] = []).Add(elapsed);
    return elapsed;
}

// The replicas' work on the previous request's thousand events, then a load average near the idle platform's (~2).
async Task<double> SettleAsync()
{
    await Task.Delay(TimeSpan.FromSeconds(10));
    return await Procfs.SettleAsync(2.5, TimeSpan.FromSeconds(40));
}

// One warm-up round each way (JIT, connection pools, plans), not counted.
for (var round = -2; round < rounds; round++)
{
    var (path, client) = (round & 1) == 0 ? ("gateway", gateway) : ("direct", direct);
    var batch = Guid.NewGuid().ToString("N")[..8];
    // Names repeat across rounds as real ones do; phones and addresses are each person's own, so no item is a strong duplicate.
    var phoneBase = (round + 3) * 100_000;
    object Person(int i, string title) => new
    {
        firstName = Names.First[i % Names.First.Length], lastName = Names.Last[i / Names.First.Length % Names.Last.Length],
        email = $"bulk-{batch}-{i}@example.com", jobTitle = title, phone = $"+49 30 {phoneBase + i}",
        tags = new[] { title == "Engineer" ? "new" : "updated" }, matchBy = "email",
    };
    Log($"load average settled at {await SettleAsync():F2}");
    var creates = await SendAsync(client, path, [.. Enumerable.Range(0, size).Select(i => Person(i, "Engineer"))], "create", 201);
    Log($"load average settled at {await SettleAsync():F2}");
    var updates = await SendAsync(client, path, [.. Enumerable.Range(0, size).Select(i => Person(i, "Lead engineer"))], "update", 200);
    Log($"round {round} ({path}): {size} creates {creates:F0} ms, {size} updates {updates:F0} ms");
    if (round < 0)
    {
        timings.Clear();
    }
}

Console.WriteLine($"| {size:N0} people in one request | n | p50 | max |");
Console.WriteLine("|---|---|---|---|");
foreach (var ((path, kind), values) in timings.OrderBy(t => t.Key.Kind).ThenBy(t => t.Key.Path))
{
    Console.WriteLine($"| {kind}, {path} | {values.Count} | {Percentile([.. values], 50):F0} ms | {values.Max():F0} ms |");
}
foreach (var kind in new[] { "create", "update" })
{
    Console.WriteLine($"| {kind}: gateway / direct (p50) | | {Percentile([.. timings[("gateway", kind)]], 50) / Percentile([.. timings[("direct", kind)]], 50):F2} | |");
}

internal static class Names
{
    public static readonly string[] First =
        ["Anna", "Ben", "Clara", "David", "Elif", "Felix", "Greta", "Hannes", "Ida", "Jonas", "Katrin", "Lukas", "Mara", "Niklas",
         "Olga", "Paul", "Quirin", "Rosa", "Stefan", "Tanja", "Uwe", "Vera", "Wolfgang", "Xenia", "Yusuf", "Zoe", "Ahmet", "Birgit",
         "Carsten", "Dana", "Emil", "Frieda", "Gustav", "Heike", "Ilse", "Jan", "Karl", "Lena", "Moritz", "Nora"];
    public static readonly string[] Last =
        ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Schäfer", "Koch",
         "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann",
         "Lange"];
}
