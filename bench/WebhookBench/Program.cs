using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using CrmPlatform.Bench.Shared;
using CrmPlatform.Contracts.Service.V1;
using MassTransit;
using static CrmPlatform.Bench.Shared.Stats;

// Usage: dotnet build -c Release CrmPlatform.sln && dotnet run -c Release --no-build --project bench/WebhookBench -- [events] [subscriptions] [people]
// Throughput: [events] CsatReceived published on the broker, each owed to [subscriptions] subscriptions of the same
// tenant, all pointing at a local Kestrel receiver: deliveries/s from the first to the last delivery received.
// Latency: [people] created one by one through the gateway (Contacts commits, its outbox publishes PersonCreated):
// from the 201 (after the commit) to the webhook's arrival.
var events = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2_000;
var subscriptions = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
var people = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 300;
var stateDirectory = Path.Combine(Path.GetTempPath(), $"crm-bench-{Guid.NewGuid():N}");
var adminSecret = Guid.NewGuid().ToString("N");
var timeout = TimeSpan.FromMinutes(10);
var tenant = Guid.Parse("00000000-0000-0000-0000-000000000001");
void Log(string message) => Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {message}");

// The partner's endpoint: records when each event (by subject) arrived.
var arrivals = new ConcurrentDictionary<string, long>();
var throughputReceipts = new ConcurrentQueue<long>();
var receiverBuilder = WebApplication.CreateSlimBuilder();
receiverBuilder.WebHost.UseUrls("http://127.0.0.1:0");
receiverBuilder.Logging.ClearProviders();
var receiver = receiverBuilder.Build();
receiver.MapPost("/latency", async (HttpContext context) =>
{
    var cloudEvent = await JsonSerializer.DeserializeAsync<JsonElement>(context.Request.Body);
    arrivals.TryAdd(cloudEvent.GetProperty("subject").GetString()!, Stopwatch.GetTimestamp());
    return Results.Ok();
});
receiver.MapPost("/throughput", async (HttpContext context) =>
{
    await context.Request.Body.CopyToAsync(Stream.Null);
    throughputReceipts.Enqueue(Stopwatch.GetTimestamp());
    return Results.Ok();
});
await receiver.StartAsync();
var receiverUrl = receiver.Urls.First();

await using var host = PlatformProcess.StartAspire(stateDirectory, FreePort.Pick(), adminSecret);
try
{
    var started = await host.WaitUntilHealthyAsync(timeout);
    Log($"platform healthy after {started.Healthy.TotalSeconds:F1} s");
    using var gateway = await host.CreateGatewayClientAsync("crm-admin", adminSecret);
    // The cores go to Contacts, Integrations, PostgreSQL and RabbitMQ.
    foreach (var service in new[] { "Sales", "Service", "Marketing" })
    {
        await host.StopServiceAsync(service, TimeSpan.FromMinutes(1));
    }

    async Task<Guid> SubscribeAsync(string path, string type)
    {
        var created = await gateway.PostAsJsonAsync("/api/v1/event-subscriptions", new { url = $"{receiverUrl}{path}", eventTypes = new[] { type }, scopes = new[] { "people:read" } });
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }
    await SubscribeAsync("/latency", "Contacts.V1.PersonCreated");
    var throughputSubscriptions = new List<Guid>();
    for (var i = 0; i < subscriptions; i++)
    {
        throughputSubscriptions.Add(await SubscribeAsync("/throughput", "Service.V1.CsatReceived"));
    }
    Log($"load average settled at {await Procfs.SettleAsync(1.5, TimeSpan.FromMinutes(3)):F2}");

    // Latency: one person at a time, a little apart, as people are entered.
    var committed = new Dictionary<string, long>();
    // The first 30 are a warm-up (the services' first PersonCreated paths: JIT, first query plans), not counted.
    const int warmUp = 30;
    var order = new Dictionary<string, int>();
    for (var i = -warmUp; i < people; i++)
    {
        // From before the request (an upper bound on commit → webhook by the request's own time): the webhook may
        // arrive before the client has read the 201, so timing from the 201 gives negative figures.
        var at = Stopwatch.GetTimestamp();
        var response = await gateway.PostAsJsonAsync("/api/v1/people",
            new { firstName = "Bench", lastName = $"Person {i}", email = $"bench-{Guid.NewGuid():N}@example.com" });
        response.EnsureSuccessStatusCode();
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        if (i >= 0)
        {
            (committed[id], order[id]) = (at, i);
        }
        await Task.Delay(20);
    }
    var waiting = Stopwatch.StartNew();
    while (committed.Keys.Any(id => !arrivals.ContainsKey(id)) && waiting.Elapsed < TimeSpan.FromMinutes(2))
    {
        await Task.Delay(50);
    }
    var latencies = committed.Where(c => arrivals.ContainsKey(c.Key))
        .Select(c => Stopwatch.GetElapsedTime(c.Value, arrivals[c.Key]).TotalMilliseconds).ToArray();
    Log($"latency: {latencies.Length}/{people} arrived");
    var slowest = committed.Where(c => arrivals.ContainsKey(c.Key))
        .OrderByDescending(c => Stopwatch.GetElapsedTime(c.Value, arrivals[c.Key])).Take(5).Select(c => (Guid.Parse(c.Key), order[c.Key])).ToList();
    var stages = await StagesAsync(host, slowest);

    // Throughput: publish every event at once, as the platform's services would in a burst.
    var messaging = Procfs.Environment(host.ServiceProcess("Integrations").Pid)["ConnectionStrings__messaging"];
    var bus = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(new Uri(messaging)));
    await bus.StartAsync();
    var publishing = Stopwatch.StartNew();
    var now = DateTime.UtcNow;
    await Task.WhenAll(Enumerable.Range(0, events).Select(i => bus.Publish(new CsatReceived(
        Guid.CreateVersion7(), now, tenant, Guid.CreateVersion7(), 1, Guid.CreateVersion7(), i, null, "good", false, null, null, now))));
    var published = publishing.Elapsed;
    var expected = events * subscriptions;
    while (throughputReceipts.Count < expected && publishing.Elapsed < TimeSpan.FromMinutes(5))
    {
        await Task.Delay(50);
    }
    var all = publishing.Elapsed;
    await bus.StopAsync();
    var receipts = throughputReceipts.ToArray();
    var window = receipts.Length > 1 ? Stopwatch.GetElapsedTime(receipts.Min(), receipts.Max()) : TimeSpan.Zero;
    var (intake, attempts) = await BurstWindowsAsync(host);

    // The dispatcher alone: the burst replayed to every subscription at once, so its deliveries are queued (in about a
    // second) rather than arriving at the intake's pace.
    throughputReceipts.Clear();
    var replaying = Stopwatch.StartNew();
    var replays = await Task.WhenAll(throughputSubscriptions.Select(id => gateway.PostAsJsonAsync($"/api/v1/event-subscriptions/{id}/replay",
        new { from = now.AddMinutes(-1), to = DateTime.UtcNow.AddMinutes(1) })));
    var queuedIn = replaying.Elapsed;
    foreach (var replay in replays)
    {
        replay.EnsureSuccessStatusCode();
    }
    while (throughputReceipts.Count < expected && replaying.Elapsed < TimeSpan.FromMinutes(5))
    {
        await Task.Delay(50);
    }
    var replayReceipts = throughputReceipts.ToArray();
    var replayWindow = replayReceipts.Length > 1 ? Stopwatch.GetElapsedTime(replayReceipts.Min(), replayReceipts.Max()) : TimeSpan.Zero;

    Console.WriteLine("| measure | value |");
    Console.WriteLine("|---|---|");
    Console.WriteLine($"| deliveries received | {receipts.Length:N0} of {expected:N0} ({events:N0} events × {subscriptions} subscriptions) |");
    Console.WriteLine($"| publishing {events:N0} events | {published.TotalSeconds:F2} s |");
    Console.WriteLine($"| first to last delivery | {window.TotalSeconds:F2} s → **{receipts.Length / Math.Max(window.TotalSeconds, 0.001):N0} deliveries/s** |");
    Console.WriteLine($"| publish start to last delivery | {all.TotalSeconds:F2} s → {receipts.Length / all.TotalSeconds:N0} deliveries/s |");
    Console.WriteLine($"| Integrations' intake: first to last event logged | {intake.TotalSeconds:F2} s → {events / Math.Max(intake.TotalSeconds, 0.001):N0} events/s |");
    Console.WriteLine($"| Integrations' dispatcher: first to last attempt | {attempts.TotalSeconds:F2} s |");
    Console.WriteLine($"| replay of the burst to the {subscriptions} subscriptions at once: queued | {queuedIn.TotalSeconds:F2} s (the five replay requests) |");
    Console.WriteLine($"| replay: first to last delivery | {replayReceipts.Length:N0} in {replayWindow.TotalSeconds:F2} s → **{replayReceipts.Length / Math.Max(replayWindow.TotalSeconds, 0.001):N0} deliveries/s** (the dispatcher alone) |");
    if (latencies.Length > 0)
    {
        Console.WriteLine($"| request sent → webhook, {latencies.Length} people | p50 {Percentile(latencies, 50):F0} ms, p95 {Percentile(latencies, 95):F0} ms, **p99 {Percentile(latencies, 99):F0} ms**, max {latencies.Max():F0} ms |");
    }
    Console.WriteLine();
    Console.WriteLine("The five slowest, by stage (server clocks of one machine):");
    Console.WriteLine();
    Console.WriteLine("| person (n-th created) | occurred → outbox published | published → Integrations logged | logged → webhook attempted |");
    Console.WriteLine("|---|---|---|---|");
    foreach (var line in stages)
    {
        Console.WriteLine(line);
    }
}
finally
{
    await receiver.DisposeAsync();
}

/// <summary>
/// Where each of these people's <c>PersonCreated</c> spent its time: Contacts' outbox (occurred → published),
/// the broker and Integrations' intake (published → logged), Integrations' dispatcher (logged → first attempt).
/// </summary>
internal static partial class Program
{
    /// <summary>
    /// From Integrations' own timestamps: how long its intake took to log the burst's events, and its dispatcher to
    /// attempt their deliveries, so a rate short of the target says which of the two held it back.
    /// </summary>
    private static async Task<(TimeSpan Intake, TimeSpan Attempts)> BurstWindowsAsync(PlatformProcess host)
    {
        await using var integrations = new Npgsql.NpgsqlConnection(Procfs.Environment(host.ServiceProcess("Integrations").Pid)["ConnectionStrings__integrationsdb"]);
        await integrations.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("""
            SELECT max(l.received_at) - min(l.received_at),
                   (SELECT max(a.attempted_at) - min(a.attempted_at) FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id
                    JOIN event_log e ON e.event_id = d.event_id WHERE e.type = 'Service.V1.CsatReceived')
            FROM event_log l WHERE l.type = 'Service.V1.CsatReceived'
            """, integrations);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetFieldValue<TimeSpan>(0), reader.GetFieldValue<TimeSpan>(1));
    }

    private static async Task<List<string>> StagesAsync(PlatformProcess host, List<(Guid Id, int Nth)> people)
    {
        var lines = new List<string>();
        await using var contacts = new Npgsql.NpgsqlConnection(Procfs.Environment(host.ServiceProcess("Contacts").Pid)["ConnectionStrings__contactsdb"]);
        await using var integrations = new Npgsql.NpgsqlConnection(Procfs.Environment(host.ServiceProcess("Integrations").Pid)["ConnectionStrings__integrationsdb"]);
        await contacts.OpenAsync();
        await integrations.OpenAsync();
        foreach (var (person, nth) in people)
        {
            await using var outbox = new Npgsql.NpgsqlCommand("""
                SELECT event_id, occurred_at, published_at FROM outbox_messages
                WHERE event_type LIKE '%PersonCreated' AND payload::jsonb ->> 'aggregateId' = @person::text
                """, contacts);
            outbox.Parameters.AddWithValue("person", person);
            await using var outboxRow = await outbox.ExecuteReaderAsync();
            if (!await outboxRow.ReadAsync())
            {
                continue;
            }
            var (eventId, occurred, published) = (outboxRow.GetGuid(0), outboxRow.GetDateTime(1), outboxRow.GetDateTime(2));
            await outboxRow.DisposeAsync();
            await using var log = new Npgsql.NpgsqlCommand("""
                SELECT l.received_at, min(a.attempted_at) FROM event_log l
                JOIN deliveries d ON d.event_id = l.event_id JOIN delivery_attempts a ON a.delivery_id = d.id
                WHERE l.event_id = @event GROUP BY l.received_at
                """, integrations);
            log.Parameters.AddWithValue("event", eventId);
            await using var logRow = await log.ExecuteReaderAsync();
            if (await logRow.ReadAsync())
            {
                var (received, attempted) = (logRow.GetDateTime(0), logRow.GetDateTime(1));
                lines.Add($"| {person} ({nth}) | {(published - occurred).TotalMilliseconds:F0} ms | {(received - published).TotalMilliseconds:F0} ms | {(attempted - received).TotalMilliseconds:F0} ms |");
            }
        }
        return lines;
    }
}
