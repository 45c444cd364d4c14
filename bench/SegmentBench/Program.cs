using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using CrmPlatform.Bench.Shared;
using CrmPlatform.Marketing.Data;
using CrmPlatform.Marketing.Segments;
using CrmPlatform.Persistence;
using CrmPlatform.SegmentBench;
using CrmPlatform.ServiceDefaults;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using static CrmPlatform.Bench.Shared.Stats;

// Usage: dotnet build -c Release CrmPlatform.sln && dotnet run -c Release --no-build --project bench/SegmentBench -- [people] [evaluations] [updates]
var total = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
var evaluations = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
var updates = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 500;
const int Warmup = 3;
var stateDirectory = Path.Combine(Path.GetTempPath(), $"crm-bench-{Guid.NewGuid():N}");
var adminSecret = Guid.NewGuid().ToString("N");
var timeout = TimeSpan.FromMinutes(10);
var tenant = Guid.Parse("00000000-0000-0000-0000-000000000001");
void Log(string message) => Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {message}");

await using var host = PlatformProcess.StartAspire(stateDirectory, FreePort.Pick(), adminSecret);
try
{
    var started = await host.WaitUntilHealthyAsync(timeout);
    Log($"platform healthy after {started.Healthy.TotalSeconds:F1} s");
    using var gateway = await host.CreateGatewayClientAsync("crm-admin", adminSecret);
    // Marketing measured on its own address (the gateway's hop is measured in the platform benchmark).
    using var marketing = new HttpClient { BaseAddress = host.ServiceUrl("Marketing"), Timeout = TimeSpan.FromMinutes(5) };
    marketing.DefaultRequestHeaders.Authorization = gateway.DefaultRequestHeaders.Authorization;
    var connectionString = Procfs.Environment(host.ServiceProcess("Marketing").Pid)["ConnectionStrings__marketingdb"];

    // A person through Contacts, to see the replica path work, before Sales and Service are stopped to leave the cores
    // to Marketing, Contacts and PostgreSQL.
    var person = await gateway.PostAsJsonAsync("/api/v1/people", new { firstName = "Bench", lastName = "Probe", email = $"bench-{Guid.NewGuid():N}@example.com" });
    person.EnsureSuccessStatusCode();
    var probe = (await person.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    await WaitAsync(connectionString, "SELECT count(*) FROM directory_contacts WHERE id = @id", probe, TimeSpan.FromMinutes(1));
    foreach (var service in new[] { "Sales", "Service" })
    {
        await host.StopServiceAsync(service, TimeSpan.FromMinutes(1));
    }

    Log($"seeding {total:N0} people into Marketing's replica by binary COPY");
    var seeding = Stopwatch.StartNew();
    var now = DateTime.UtcNow;
    var people = await Seed.RunAsync(connectionString, tenant, total, now);
    var seedTime = seeding.Elapsed;
    Log($"seeded in {seedTime.TotalSeconds:F1} s");
    await using (var connection = new NpgsqlConnection(connectionString))
    {
        await connection.OpenAsync();
        await using var vacuum = new NpgsqlCommand("VACUUM (ANALYZE) directory_contacts, contact_behaviours", connection) { CommandTimeout = 600 };
        await vacuum.ExecuteNonQueryAsync();
    }
    Log($"load average settled at {await Procfs.SettleAsync(1.5, TimeSpan.FromMinutes(3)):F2}");

    // Nested AND/OR over attributes, a custom field and behaviour: what a marketer's audience looks like.
    static object Leaf(string field, string op, object value) => new { field, op, value };
    object Rules(string industry) => new
    {
        all = new object[]
        {
            Leaf("lifecycleStage", "in", new[] { "customer", "lead" }),
            new { any = new[] { Leaf("country", "in", new[] { "DE", "AT", "CH" }), Leaf("tags", "contains", "vip") } },
            Leaf("noActivityForDays", "gte", 30),
            Leaf("customFields.seats", "gt", 50),
            Leaf("industry", "eq", industry),
        },
    };
    var broad = new
    {
        all = new object[]
        {
            Leaf("lifecycleStage", "in", new[] { "customer", "lead" }),
            new { any = new[] { Leaf("country", "in", new[] { "DE", "AT", "CH" }), Leaf("tags", "contains", "vip") } },
            Leaf("noActivityForDays", "gte", 30),
            Leaf("customFields.seats", "gt", 50),
        },
    };

    long matched = 0;
    var previewTimes = new double[evaluations];
    for (var i = -Warmup; i < evaluations; i++)
    {
        var clock = Stopwatch.StartNew();
        using var response = await marketing.PostAsJsonAsync("/api/v1/segments/preview", new { rules = broad });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"preview: {body}");
        }
        if (i >= 0)
        {
            previewTimes[i] = clock.Elapsed.TotalMilliseconds;
        }
        matched = body.GetProperty("count").GetInt64();
    }
    Log($"preview: {matched:N0} of {total:N0} match; p95 {Percentile(previewTimes, 95):F0} ms");

    // Five saved segments (each recomputed set-based on save), which every incremental update then evaluates.
    var saves = new List<(double Ms, long Members)>();
    foreach (var industry in Seed.Industries.Take(5))
    {
        var clock = Stopwatch.StartNew();
        using var response = await marketing.PostAsJsonAsync("/api/v1/segments", new { name = $"Quiet {industry} accounts", rules = Rules(industry) });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"save: {body}");
        }
        saves.Add((clock.Elapsed.TotalMilliseconds, body.GetProperty("memberCount").GetInt64()));
    }
    Log($"saved 5 segments: {string.Join(", ", saves.Select(s => $"{s.Members:N0} members in {s.Ms:F0} ms"))}");
    // The saves' events go out before the incremental updates are timed, so the dispatcher does not compete with them.
    await WaitAsync(connectionString, "SELECT CASE WHEN count(*) = 0 THEN 1 ELSE 0 END FROM outbox_messages WHERE published_at IS NULL", null, TimeSpan.FromMinutes(15));
    Log($"load average settled at {await Procfs.SettleAsync(1.5, TimeSpan.FromMinutes(3)):F2}");

    // One event's work in Marketing, with Marketing's own code: the replica row changes, the person is re-evaluated
    // against the five segments in one query, entries and exits and their events are written, one commit.
    var optionsBuilder = new DbContextOptionsBuilder<MarketingDbContext>();
    optionsBuilder.UseServiceDatabase(connectionString);
    var options = optionsBuilder.Options;
    var random = new Random(7);
    var updateTimes = new double[updates];
    var changes = 0;
    for (var i = -Warmup; i < updates; i++)
    {
        var id = people[random.Next(people.Length)];
        var clock = Stopwatch.StartNew();
        await using (var db = new MarketingDbContext(options, new TenantContext { TenantId = tenant }, TimeProvider.System))
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            var contact = await db.DirectoryContacts.SingleAsync(c => c.Id == id);
            contact.LifecycleStage = contact.LifecycleStage == "customer" ? "former-customer" : "customer";
            contact.Version++;
            await db.SaveChangesAsync();
            var changed = await SegmentMembers.ReevaluateAsync(db, id, DateTime.UtcNow, CancellationToken.None);
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
            if (i >= 0)
            {
                changes += changed;
            }
        }
        if (i >= 0)
        {
            updateTimes[i] = clock.Elapsed.TotalMilliseconds;
        }
    }
    Log($"incremental: p95 {Percentile(updateTimes, 95):F1} ms, {changes} entries or exits");

    Console.WriteLine($"## Marketing segments, {total:N0} people");
    Console.WriteLine();
    Console.WriteLine($"Command: `dotnet build -c Release CrmPlatform.sln && dotnet run -c Release --no-build --project bench/SegmentBench -- {string.Join(' ', args)}`");
    Console.WriteLine();
    Console.WriteLine($"Seeded by binary COPY in {seedTime.TotalSeconds:F1} s (plus {total / 10:N0} activity and {total / 50:N0} open-opportunity rows), then VACUUM (ANALYZE); "
        + $"the rule tree (4 conditions, an `any` group, a custom field, `noActivityForDays`) matches {matched:N0}.");
    Console.WriteLine();
    Console.WriteLine("| measured | n | p50 | p95 | p99 | max |");
    Console.WriteLine("|---|---|---|---|---|---|");
    Console.WriteLine($"| `POST /api/v1/segments/preview` (count + 10 samples), straight to Marketing | {evaluations} | {Row(previewTimes)} |");
    Console.WriteLine($"| one contact's change: replica row + re-evaluation against 5 segments + memberships and events, one commit | {updates} | {Row(updateTimes)} |");
    Console.WriteLine();
    Console.WriteLine($"Saving a segment (set-based recompute, its members and their events in one statement): {string.Join("; ", saves.Select(s => $"{s.Members:N0} members, {s.Ms:F0} ms"))}.");
    // With CRM_BENCH_HOLD_UNTIL set, the seeded platform stays up for EXPLAIN ANALYZE and the like.
    await PlatformProcess.HoldIfAskedAsync(connectionString);
}
catch
{
    Console.Error.WriteLine(host.Output);
    throw;
}
finally
{
    var stop = await host.StopAsync(timeout);
    Log($"stopped in {stop.Elapsed.TotalSeconds:F1} s; processes of the platform left running at exit: {stop.LeftAtExit.Count}, 10 s later: {stop.LeftAfterGrace.Count}");
    if (Directory.Exists(stateDirectory))
    {
        Directory.Delete(stateDirectory, recursive: true);
    }
}

static string Row(double[] times) =>
    string.Join(" | ", new[] { 50, 95, 99 }.Select(p => $"{Percentile(times, p):F1} ms")) + $" | {times.Max():F1} ms";

static async Task WaitAsync(string connectionString, string sql, Guid? id, TimeSpan atMost)
{
    var clock = Stopwatch.StartNew();
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    while (true)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        if (id is { } value)
        {
            command.Parameters.AddWithValue("id", value);
        }
        if (Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture) > 0)
        {
            return;
        }
        if (clock.Elapsed > atMost)
        {
            throw new InvalidOperationException($"Not within {atMost}: {sql}");
        }
        await Task.Delay(100);
    }
}
