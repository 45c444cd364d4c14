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
// CRM_BENCH_LATENCY_ONLY=1: no import and no COPY beside it; the people are COPYed into Contacts and only the queries are timed.
var latencyOnly = Environment.GetEnvironmentVariable("CRM_BENCH_LATENCY_ONLY") == "1";
var environment = new Dictionary<string, string> { ["RateLimits__PerClient"] = "1000000", ["RateLimits__PerTenant"] = "1000000" };
void Log(string message) => Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {message}");

await using var host = PlatformProcess.StartAspire(stateDirectory, FreePort.Pick(), adminSecret, environment);
try
{
    var started = await host.WaitUntilHealthyAsync(timeout);
    Log($"platform healthy after {started.Healthy.TotalSeconds:F1} s");
    // The import alone is measured: the services that replicate people (and Integrations, which logs every event for
    // partners) would otherwise share the two cores with it.
    foreach (var consumer in new[] { "Sales", "Marketing", "Service", "Integrations" })
    {
        await host.StopServiceAsync(consumer, TimeSpan.FromMinutes(1));
    }
    Log("Sales, Marketing, Service and Integrations stopped (SIGTERM to their processes; DCP shows them exited and does not restart them)");
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

    var tenantId = Guid.Parse("00000000-0000-0000-0000-000000000001");
    ImportRun? run = null;
    int imported;
    if (latencyOnly)
    {
        // Only the queries are measured: the rows go straight into people by COPY, without the import's work.
        Log("latency only: seeding people by COPY");
        var seeded = await BareCopy.RunAsync(connectionString, csvPath, tenantId, rows, intoPeople: true);
        Log($"{rows} people seeded in {seeded.TotalSeconds:F0} s, then VACUUM (ANALYZE)");
        Log($"load average settled at {await Procfs.SettleAsync(1.5, TimeSpan.FromMinutes(3)):F2}");
        imported = rows;
    }
    else
    {
        run = await ImportAsync();
        imported = run.Imported;
    }

    async Task<ImportRun> ImportAsync()
    {
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
        var copyTime = await BareCopy.RunAsync(connectionString, csvPath, tenantId, imported);
        return new ImportRun(job, uploadTime, importTime, imported, [.. progressReads], copyTime);
    }

    Log("latency");
    var sample = People.ReadCsv(csvPath).Take(imported).Where((_, i) => i % Math.Max(1, imported / queries) == 0).Take(queries).ToList();
    string Search(string text) => $"/api/v1/people/search?q={Uri.EscapeDataString(text)}&limit=50";
    var searches = new (string What, IEnumerable<string> Urls)[]
    {
        ("`q=<last name>`", sample.Select(p => Search(p.LastName))),
        ("`q=<first last>`", sample.Select(p => Search($"{p.FirstName} {p.LastName}"))),
        ("`q=<last name misspelled>` (two letters swapped, or one left out)", sample.Select((p, i) => Search(Queries.Misspelled(p.LastName, i)))),
        ("`q=<name with ä/ö/ü/ß transliterated>` (ae/oe/ue/ss, or the bare vowel)",
            People.ReadCsv(csvPath).Take(imported).Where(p => Queries.HasUmlaut(p.LastName)).Take(queries).Select((p, i) => Search(Queries.Transliterated(p.LastName, i)))),
    };
    var searchRows = new List<string>();
    foreach (var (what, urls) in searches)
    {
        searchRows.Add($"| search {what} | {Latency.Percentiles(await Latency.MeasureAsync(contacts, urls))} |");
    }

    // Every documented filter of the people list with every sort, both directions: values taken from sampled people,
    // so common and rare values both come up. One row per filter: its worst sort's figures.
    var filters = new (string Name, Func<GeneratedPerson, string> Value)[]
    {
        ("email", p => p.Email), ("phone", p => p.Phone), ("tag", p => p.Tags.Split(';')[0] is { Length: > 0 } tag ? tag : "press"),
        ("language", p => p.Language), ("ownerId", p => p.OwnerId is { Length: > 0 } owner ? owner : "user-01"),
        ("doNotCall", p => p.DoNotCall ? "true" : "false"), ("doNotEmail", p => p.DoNotEmail ? "true" : "false"),
        ("preferredChannel", p => p.PreferredChannel is { Length: > 0 } channel ? channel : "mail"), ("firstName", p => p.FirstName),
        ("lastName", p => p.LastName), ("jobTitle", p => p.JobTitle), ("organizationId", p => p.OrganizationId.ToString()),
        ("segment", p => p.Segment is { Length: > 0 } segment ? segment : "Public Sector"),
        ("industry", p => p.Industry is { Length: > 0 } industry ? industry : "Media"), ("rating", p => p.Rating is { Length: > 0 } rating ? rating : "hot"),
        ("lifecycleStage", p => p.LifecycleStage is { Length: > 0 } stage ? stage : "former-customer"),
    };
    string[] sorts = ["createdAt", "updatedAt", "firstName", "lastName", "email", "segment", "industry", "rating", "lifecycleStage"];
    var perCombination = Math.Max(3, queries / 40);
    var listRows = new List<string>();
    var allLists = new List<double>();
    foreach (var (name, value) in filters.Prepend(("(none)", _ => "")))
    {
        var worst = (Sort: "", Times: Array.Empty<double>());
        foreach (var sort in sorts.SelectMany(sort => new[] { sort, "-" + sort }))
        {
            var urls = sample.Take(perCombination).Select(p => name == "(none)"
                ? $"/api/v1/people?sort={sort}&limit=50"
                : $"/api/v1/people?filter[{name}]={Uri.EscapeDataString(value(p))}&sort={sort}&limit=50");
            var times = await Latency.MeasureAsync(contacts, urls);
            allLists.AddRange(times);
            if (worst.Times.Length == 0 || Percentile(times, 99) > Percentile(worst.Times, 99))
            {
                worst = (sort, times);
            }
        }
        listRows.Add($"| list `filter[{name}]`, worst of its 18 sorts (`sort={worst.Sort}`) | {Latency.Percentiles(worst.Times)} |");
    }

    Console.WriteLine($"## Contacts import and queries, {rows:N0} generated people ({imported:N0} {(latencyOnly ? "seeded by COPY" : "imported")})");
    Console.WriteLine();
    Console.WriteLine($"Command: `dotnet build -c Release CrmPlatform.sln && dotnet run -c Release --no-build --project bench/ContactsBench -- {string.Join(' ', args)}`");
    Console.WriteLine();
    Console.WriteLine("| what | result |");
    Console.WriteLine("|---|---|");
    if (run is not null)
    {
        var totals = run.Job.GetProperty("totals");
        Console.WriteLine($"| file | {bytes / 1e6:F0} MB CSV, {rows:N0} rows, uploaded in {run.Upload.TotalSeconds:F1} s |");
        Console.WriteLine($"| import job (run → {run.Job.GetProperty("status").GetString()}) | {imported:N0} rows in {run.Import.TotalSeconds:F0} s, **{imported / run.Import.TotalSeconds:F0} rows/s** (created {totals.GetProperty("created")}, rejected {totals.GetProperty("rejected")}, duplicates (exact and likely) {totals.GetProperty("duplicates")}) |");
        Console.WriteLine($"| bare binary COPY of the same rows into `LIKE people INCLUDING ALL` | {run.Copy.TotalSeconds:F0} s, **{imported / run.Copy.TotalSeconds:F0} rows/s** |");
        Console.WriteLine($"| import speed / COPY speed | **{run.Copy.TotalSeconds / run.Import.TotalSeconds:F3}** |");
        Console.WriteLine($"| job status read during the run (`GET /imports/{{id}}`) | {Latency.Percentiles(run.ProgressReads)} |");
    }
    searchRows.ForEach(Console.WriteLine);
    listRows.ForEach(Console.WriteLine);
    Console.WriteLine($"| every list request above ({allLists.Count}) | {Latency.Percentiles([.. allLists])} |");
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
    File.Delete(csvPath);
    if (Directory.Exists(stateDirectory))
    {
        Directory.Delete(stateDirectory, recursive: true);
    }
}

internal sealed record ImportRun(JsonElement Job, TimeSpan Upload, TimeSpan Import, int Imported, double[] ProgressReads, TimeSpan Copy);

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
        $"p50 {Percentile(values, 50):F1} ms, p95 {Percentile(values, 95):F1} ms, p99 {Percentile(values, 99):F1} ms";
}

/// <summary>Search terms as people mistype them, made from stored names.</summary>
internal static class Queries
{
    private static readonly (string Letter, string Written, string Bare)[] Umlauts = [("ä", "ae", "a"), ("ö", "oe", "o"), ("ü", "ue", "u"), ("ß", "ss", "s")];

    public static bool HasUmlaut(string name) => Umlauts.Any(u => name.Contains(u.Letter, StringComparison.OrdinalIgnoreCase));

    /// <summary>Alternately two neighbouring letters in the middle swapped (Schnieder) and one left out (Schneidr).</summary>
    public static string Misspelled(string name, int i)
    {
        if (name.Length < 5)
        {
            return name;
        }
        var middle = name.Length / 2;
        return i % 2 == 0
            ? string.Concat(name.AsSpan(0, middle - 1), name[middle].ToString(), name[middle - 1].ToString(), name.AsSpan(middle + 1))
            : name.Remove(middle, 1);
    }

    /// <summary>Alternately as typed without umlauts (Mueller) and with the bare vowel (Muller).</summary>
    public static string Transliterated(string name, int i)
    {
        foreach (var (letter, written, bare) in Umlauts)
        {
            name = name.Replace(letter, i % 2 == 0 ? written : bare).Replace(letter.ToUpperInvariant(), i % 2 == 0 ? char.ToUpperInvariant(written[0]) + written[1..] : bare.ToUpperInvariant());
        }
        return name;
    }
}
