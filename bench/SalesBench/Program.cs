using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using CrmPlatform.Bench.Shared;
using CrmPlatform.SalesBench;
using Npgsql;
using static CrmPlatform.Bench.Shared.Stats;

// Usage: dotnet build -c Release CrmPlatform.sln && dotnet run -c Release --no-build --project bench/SalesBench -- [opportunities] [board open] [requests]
var total = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
var boardOpen = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000;
var requests = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 200;
const int Owners = 50;
const int Warmup = 5;
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
    // Sales measured on its own address (the gateway's hop is measured in the platform benchmark).
    using var sales = new HttpClient { BaseAddress = host.ServiceUrl("Sales"), Timeout = TimeSpan.FromMinutes(2) };
    sales.DefaultRequestHeaders.Authorization = gateway.DefaultRequestHeaders.Authorization;
    var connectionString = Procfs.Environment(host.ServiceProcess("Sales").Pid)["ConnectionStrings__salesdb"];

    var person = await gateway.PostAsJsonAsync("/api/v1/people", new { firstName = "Bench", lastName = "Customer", email = $"bench-{Guid.NewGuid():N}@example.com" });
    person.EnsureSuccessStatusCode();
    var customer = (await person.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    var known = Stopwatch.StartNew();
    await using (var connection = new NpgsqlConnection(connectionString))
    {
        await connection.OpenAsync();
        while (true)
        {
            await using var probe = new NpgsqlCommand("SELECT count(*) FROM directory_contacts WHERE id = @id", connection);
            probe.Parameters.AddWithValue("id", customer);
            if ((long)(await probe.ExecuteScalarAsync())! > 0)
            {
                break;
            }
            if (known.Elapsed > TimeSpan.FromMinutes(1))
            {
                throw new InvalidOperationException("Sales did not learn of the customer within a minute");
            }
            await Task.Delay(100);
        }
    }
    // The Contacts, Marketing and Service work is done: stopped, they leave the two cores to Sales and PostgreSQL.
    foreach (var service in new[] { "Marketing", "Service" })
    {
        await host.StopServiceAsync(service, TimeSpan.FromMinutes(1));
    }

    string[] openStages = ["qualify", "discovery", "proposal", "negotiation", "commit"];
    async Task<Seed.Pipeline> PipelineAsync(string name)
    {
        var stages = new object[]
        {
            new { key = "qualify", name = "Qualify", probability = 10, kind = "open", requiredFields = Array.Empty<string>() },
            new { key = "discovery", name = "Discovery", probability = 25, kind = "open", requiredFields = Array.Empty<string>() },
            new { key = "proposal", name = "Proposal", probability = 50, kind = "open", requiredFields = Array.Empty<string>() },
            new { key = "negotiation", name = "Negotiation", probability = 75, kind = "open", requiredFields = Array.Empty<string>() },
            new { key = "commit", name = "Commit", probability = 90, kind = "open", requiredFields = Array.Empty<string>() },
            new { key = "won", name = "Won", probability = 100, kind = "won", requiredFields = Array.Empty<string>() },
            new { key = "lost", name = "Lost", probability = 0, kind = "lost", requiredFields = Array.Empty<string>() },
        };
        var created = await sales.PostAsJsonAsync("/api/v1/pipelines", new { name, isDefault = false, stages });
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        if (!created.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"pipeline: {body}");
        }
        return new Seed.Pipeline(body.GetProperty("id").GetGuid(), openStages, "won", "lost");
    }
    var board = await PipelineAsync("Bench board");
    var forecast = await PipelineAsync("Bench forecast");

    Log($"seeding {total} opportunities ({boardOpen} open on the board's pipeline) by binary COPY");
    var seeding = Stopwatch.StartNew();
    var now = DateTime.UtcNow;
    await Seed.RunAsync(connectionString, tenant, customer, board, forecast, boardOpen, total, Owners, now);
    var seedTime = seeding.Elapsed;
    Log($"seeded in {seedTime.TotalSeconds:F1} s");
    // What autovacuum would do in the minutes after a bulk load, done now so it does not run during the measurements.
    await using (var connection = new NpgsqlConnection(connectionString))
    {
        await connection.OpenAsync();
        await using var vacuum = new NpgsqlCommand("VACUUM (ANALYZE) opportunities, opportunity_stage_changes, activities, won_stage_times", connection);
        await vacuum.ExecuteNonQueryAsync();
    }

    // The platform's start and the bulk load leave a load that takes a minute or two to decay; measured in it, every
    // p95 is several times what it is on the settled machine (bench/KnowledgeBench: 86 ms against 24 ms).
    Log($"load average settled at {await Procfs.SettleAsync(1.5, TimeSpan.FromMinutes(3)):F2}");
    var today = DateOnly.FromDateTime(now);
    var window = $"from={today.AddYears(-1):yyyy-MM-dd}&to={today.AddYears(1):yyyy-MM-dd}";
    var byOwner = await MeasureAsync(sales, $"/api/v1/forecast?period=quarter&{window}&groupBy=owner", requests);
    var byTeam = await MeasureAsync(sales, $"/api/v1/forecast?period=quarter&{window}&groupBy=team", requests);
    var byMonth = await MeasureAsync(sales, $"/api/v1/forecast?period=month&{window}&groupBy=owner", requests);
    var hygiene = await MeasureAsync(sales, "/api/v1/forecast/hygiene?flag=stale&limit=50", requests);
    var boardTimes = await MeasureAsync(sales, $"/api/v1/pipelines/{board.Id}/board", requests);

    Console.WriteLine($"## Sales forecast and pipeline board, {total:N0} opportunities ({boardOpen:N0} open on the board's pipeline)");
    Console.WriteLine();
    Console.WriteLine($"Command: `dotnet build -c Release CrmPlatform.sln && dotnet run -c Release --no-build --project bench/SalesBench -- {string.Join(' ', args)}`");
    Console.WriteLine();
    Console.WriteLine($"Seeded by binary COPY in {seedTime.TotalSeconds:F1} s, then VACUUM (ANALYZE); {requests} sequential GETs each (after {Warmup} warm-up), straight to the running Sales service, admin token (the whole tenant).");
    Console.WriteLine();
    Console.WriteLine("| request | p50 | p95 | p99 |");
    Console.WriteLine("|---|---|---|---|");
    Console.WriteLine($"| forecast roll-up, 9 quarters by owner (all {total:N0} in the window) | {Row(byOwner)} |");
    Console.WriteLine($"| forecast roll-up, 9 quarters by team | {Row(byTeam)} |");
    Console.WriteLine($"| forecast roll-up, 25 months by owner | {Row(byMonth)} |");
    Console.WriteLine($"| hygiene list `flag=stale`, 50 | {Row(hygiene)} |");
    Console.WriteLine($"| pipeline board, {boardOpen:N0} open | {Row(boardTimes)} |");
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
    string.Join(" | ", new[] { 50, 95, 99 }.Select(p => $"{Percentile(times, p):F1} ms"));

static async Task<double[]> MeasureAsync(HttpClient client, string url, int count)
{
    for (var i = 0; i < Warmup; i++)
    {
        using var warm = await client.GetAsync(url);
        if (!warm.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{url}: {(int)warm.StatusCode} {await warm.Content.ReadAsStringAsync()}");
        }
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
    Console.Error.WriteLine($"{url}: p95 {Percentile(times, 95):F1} ms");
    return times;
}
