using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CrmPlatform.Bench.Shared;
using CrmPlatform.ContactsBench;
using Npgsql;
using static CrmPlatform.Bench.Shared.Stats;

// Usage: dotnet build -c Release CrmPlatform.sln && dotnet run -c Release --no-build --project bench/ContactsBench -- [rows] [queries] [max import minutes]
var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
var queries = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 300;
// A run that has not finished by then is cancelled, and the COPY and the queries use the rows it imported.
var maxImport = TimeSpan.FromMinutes(args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 600);
var stateDirectory = Path.Combine(Path.GetTempPath(), $"crm-bench-{Guid.NewGuid():N}");
var csvPath = Path.Combine(Path.GetTempPath(), $"crm-bench-people-{Guid.NewGuid():N}.csv");
var adminSecret = Guid.NewGuid().ToString("N");
var timeout = TimeSpan.FromMinutes(10);
// The gateway's rate limits lifted (DCP passes the app host's environment on to the services).
var environment = new Dictionary<string, string> { ["RateLimits__PerClient"] = "1000000", ["RateLimits__PerTenant"] = "1000000" };
void Log(string message) => Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {message}");

await using var host = PlatformProcess.StartAspire(stateDirectory, FreePort.Pick(), adminSecret, environment);
try
{
    var started = await host.WaitUntilHealthyAsync(timeout);
    Log($"platform healthy after {started.Healthy.TotalSeconds:F1} s");
    // The import alone is measured: the services that replicate people would otherwise share the two cores with it.
    foreach (var consumer in new[] { "Sales", "Marketing", "Service" })
    {
        await host.StopServiceAsync(consumer, TimeSpan.FromMinutes(1));
    }
    Log("Sales, Marketing and Service stopped (SIGTERM to their processes; DCP shows them exited and does not restart them)");
    using var gateway = await host.CreateGatewayClientAsync("crm-admin", adminSecret);
    // Contacts' own address and database, as DCP gave them to its process.
    var contactsProcess = host.ServiceProcess("Contacts");
    var connectionString = Procfs.Environment(contactsProcess.Pid)["ConnectionStrings__contactsdb"];
    using var contacts = new HttpClient { BaseAddress = host.ServiceUrl("Contacts"), Timeout = TimeSpan.FromMinutes(30) };
    contacts.DefaultRequestHeaders.Authorization = gateway.DefaultRequestHeaders.Authorization;

    var organizations = new List<Guid>();
    for (var i = 0; i < 200; i++)
    {
        var organization = await contacts.PostAsJsonAsync("/api/v1/organizations", new { name = $"Bench Organization {i}", domain = $"org{i}.example.com" });
        organization.EnsureSuccessStatusCode();
        organizations.Add((await organization.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
    }

    Log($"generating {rows} people");
    var bytes = await People.WriteCsvAsync(csvPath, People.Generate(rows, organizations));
    Log($"{bytes / 1e6:F0} MB written; uploading");

    var upload = Stopwatch.StartNew();
    await using var file = File.OpenRead(csvPath);
    using var content = new StreamContent(file);
    content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
    var created = await contacts.PostAsync("/api/v1/imports?fileName=people.csv&matchBy=external-id&externalIdSource=bench", content);
    var job = await created.Content.ReadFromJsonAsync<JsonElement>();
    if (!created.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"upload failed: {job}");
    }
    var uploadTime = upload.Elapsed;
    var jobUrl = $"/api/v1/imports/{job.GetProperty("id").GetGuid()}";

    var importClock = Stopwatch.StartNew();
    (await contacts.PostAsJsonAsync($"{jobUrl}/run", new { })).EnsureSuccessStatusCode();
    var progressReads = new List<double>();
    var tokenAge = Stopwatch.StartNew();
    var cancelled = false;
    while (true)
    {
        await Task.Delay(TimeSpan.FromSeconds(5));
        if (tokenAge.Elapsed > TimeSpan.FromMinutes(5))
        {
            // Access tokens live 15 minutes; a long import outlives several.
            using var fresh = await host.CreateGatewayClientAsync("crm-admin", adminSecret);
            contacts.DefaultRequestHeaders.Authorization = fresh.DefaultRequestHeaders.Authorization;
            tokenAge.Restart();
        }
        if (!cancelled && importClock.Elapsed > maxImport)
        {
            cancelled = (await contacts.PostAsJsonAsync($"{jobUrl}/cancel", new { })).IsSuccessStatusCode;
        }
        var read = Stopwatch.StartNew();
        job = await contacts.GetFromJsonAsync<JsonElement>(jobUrl);
        progressReads.Add(read.Elapsed.TotalMilliseconds);
        var status = job.GetProperty("status").GetString();
        Log($"{status} {job.GetProperty("percent")}% {job.GetProperty("rowsPerSecond")} rows/s, ETA {job.GetProperty("etaSeconds")} s");
        if (status is "completed" or "failed" or "cancelled")
        {
            break;
        }
    }
    if (job.GetProperty("status").GetString() == "failed")
    {
        throw new InvalidOperationException($"import failed: {job}");
    }
    // A cancelled run stops after its current batch: the time is its own measure of the rows it imported.
    var importTime = cancelled
        ? job.GetProperty("finishedAt").GetDateTime() - job.GetProperty("startedAt").GetDateTime()
        : importClock.Elapsed;
    var imported = job.GetProperty("totals").GetProperty("processed").GetInt32();

    Log("bare COPY of the same rows");
    await using (var connection = new NpgsqlConnection(connectionString))
    {
        await connection.OpenAsync();
        await using var analyze = new NpgsqlCommand("ANALYZE people", connection);
        await analyze.ExecuteNonQueryAsync();
    }
    var tenantId = Guid.Parse("00000000-0000-0000-0000-000000000001");
    var copyTime = await BareCopy.RunAsync(connectionString, csvPath, tenantId, imported);

    Log("latency");
    var sample = People.ReadCsv(csvPath).Take(imported).Where((_, i) => i % Math.Max(1, imported / queries) == 0).Take(queries).ToList();
    var search = await Latency.MeasureAsync(contacts, sample.Select(p => $"/api/v1/people/search?q={Uri.EscapeDataString(p.LastName)}&limit=50"));
    var searchTwoWords = await Latency.MeasureAsync(contacts, sample.Select(p => $"/api/v1/people/search?q={Uri.EscapeDataString($"{p.FirstName} {p.LastName}")}&limit=50"));
    var byLastName = await Latency.MeasureAsync(contacts, sample.Select(p => $"/api/v1/people?filter[lastName]={Uri.EscapeDataString(p.LastName)}&limit=50"));
    var byOrganization = await Latency.MeasureAsync(contacts, sample.Select(p => $"/api/v1/people?filter[organizationId]={p.OrganizationId}&sort=-updatedAt&limit=50"));
    var byTag = await Latency.MeasureAsync(contacts, sample.Select((p, i) => $"/api/v1/people?filter[tag]={(i % 2 == 0 ? "vip" : "partner")}&sort=lastName&limit=50"));
    var byEmail = await Latency.MeasureAsync(contacts, sample.Select(p => $"/api/v1/people?filter[email]={Uri.EscapeDataString(p.Email)}"));

    var totals = job.GetProperty("totals");
    Console.WriteLine($"## Contacts import and queries, {rows:N0} generated people ({imported:N0} imported)");
    Console.WriteLine();
    Console.WriteLine($"Command: `dotnet build -c Release CrmPlatform.sln && dotnet run -c Release --no-build --project bench/ContactsBench -- {string.Join(' ', args)}`");
    Console.WriteLine();
    Console.WriteLine("| what | result |");
    Console.WriteLine("|---|---|");
    Console.WriteLine($"| file | {bytes / 1e6:F0} MB CSV, {rows:N0} rows, uploaded in {uploadTime.TotalSeconds:F1} s |");
    Console.WriteLine($"| import job (run → {job.GetProperty("status").GetString()}) | {imported:N0} rows in {importTime.TotalSeconds:F0} s, **{imported / importTime.TotalSeconds:F0} rows/s** (created {totals.GetProperty("created")}, rejected {totals.GetProperty("rejected")}, duplicates {totals.GetProperty("duplicates")}) |");
    Console.WriteLine($"| bare binary COPY of the same rows into `LIKE people INCLUDING ALL` | {copyTime.TotalSeconds:F0} s, **{imported / copyTime.TotalSeconds:F0} rows/s** |");
    Console.WriteLine($"| import / COPY | {importTime.TotalSeconds / copyTime.TotalSeconds:F1}× the time |");
    Console.WriteLine($"| job status read during the run (`GET /imports/{{id}}`) | {Latency.Percentiles([.. progressReads])} |");
    Console.WriteLine($"| search `q=<last name>`, {search.Length} sequential | {Latency.Percentiles(search)} |");
    Console.WriteLine($"| search `q=<first last>`, {searchTwoWords.Length} sequential | {Latency.Percentiles(searchTwoWords)} |");
    Console.WriteLine($"| list `filter[lastName]` | {Latency.Percentiles(byLastName)} |");
    Console.WriteLine($"| list `filter[organizationId]&sort=-updatedAt` | {Latency.Percentiles(byOrganization)} |");
    Console.WriteLine($"| list `filter[tag]&sort=lastName` | {Latency.Percentiles(byTag)} |");
    Console.WriteLine($"| list `filter[email]` | {Latency.Percentiles(byEmail)} |");
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
    File.Delete(csvPath);
    if (Directory.Exists(stateDirectory))
    {
        Directory.Delete(stateDirectory, recursive: true);
    }
}

internal static class Latency
{
    public static async Task<double[]> MeasureAsync(HttpClient client, IEnumerable<string> urls)
    {
        var times = new List<double>();
        foreach (var url in urls)
        {
            var clock = Stopwatch.StartNew();
            using var response = await client.GetAsync(url);
            await response.Content.ReadAsByteArrayAsync();
            response.EnsureSuccessStatusCode();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        return [.. times];
    }

    public static string Percentiles(double[] values) =>
        $"p50 {Percentile(values, 50):F1} ms, p99 {Percentile(values, 99):F1} ms";
}
