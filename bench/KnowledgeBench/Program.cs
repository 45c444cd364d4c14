using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using CrmPlatform.Bench.Shared;
using CrmPlatform.KnowledgeBench;
using static CrmPlatform.Bench.Shared.Stats;

// Usage: dotnet build -c Release CrmPlatform.sln && dotnet run -c Release --no-build --project bench/KnowledgeBench -- [articles] [requests]
var total = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
var requests = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 400;
const int Warmup = 50;
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
    // Service measured on its own address (the gateway's hop is measured in the platform benchmark).
    using var service = new HttpClient { BaseAddress = host.ServiceUrl("Service"), Timeout = TimeSpan.FromMinutes(2) };
    service.DefaultRequestHeaders.Authorization = gateway.DefaultRequestHeaders.Authorization;
    var connectionString = Procfs.Environment(host.ServiceProcess("Service").Pid)["ConnectionStrings__servicedb"];
    // Nothing else is needed: stopped, the other services leave the two cores to Service and PostgreSQL.
    foreach (var other in new[] { "Marketing", "Sales" })
    {
        await host.StopServiceAsync(other, TimeSpan.FromMinutes(1));
    }

    Log($"seeding {total} articles by binary COPY");
    var seeding = Stopwatch.StartNew();
    await Seed.RunAsync(connectionString, tenant, total, germanShare: 0.7, DateTime.UtcNow);
    var seedTime = seeding.Elapsed;
    Log($"seeded in {seedTime.TotalSeconds:F1} s");
    // The platform's start (and a build just before) leaves a load that takes a minute or two to decay; measured in it,
    // every p95 was three to four times what it is on the settled machine.
    Log($"load average settled at {await Procfs.SettleAsync(1.5, TimeSpan.FromMinutes(3)):F2}");
    var termShares = await Seed.ShareOfArticlesAsync(connectionString, [("german", "rechnungen"), ("german", "lastschrift"), ("english", "invoices"), ("english", "refund")]);

    // Rotating queries: a common word, a rare one, an inflected form, two words, a type-ahead prefix, in both languages.
    string[] agentQueries =
    [
        "q=Rechnungen", "q=Lastschrift", "q=Passwort%20zur%C3%BCcksetzen", "q=R%C3%BCckerst", "q=Synchronisierung%20Kalender",
        "q=Mahnung&language=de", "q=invoices", "q=refund%20request", "q=subscr", "q=printer%20error&status=published",
    ];
    var search = await MeasureAsync(i => service.GetAsync($"/api/v1/knowledge/articles/search?{agentQueries[i % agentQueries.Length]}"), requests, "agent search", agentQueries.Length);
    string[] helpCentreQueries = ["Rechnung", "Zahlung%20%C3%84nderung", "K%C3%BCnd", "invoice", "password%20reset", "deliv"];
    using var anonymous = new HttpClient { BaseAddress = host.ServiceUrl("Service"), Timeout = TimeSpan.FromMinutes(2) };
    var helpCentre = await MeasureAsync(i => anonymous.GetAsync($"/api/v1/help-centre/{tenant}/search?q={helpCentreQueries[i % helpCentreQueries.Length]}"), requests, "help-centre search", helpCentreQueries.Length);
    object[] tickets =
    [
        new { subject = "Rechnung fehlt", description = "Hallo, ich kann meine Rechnungen für März nicht herunterladen. Die Lastschrift wurde trotzdem eingezogen. Bitte prüfen Sie das." },
        new { subject = "Passwort vergessen", description = "Ich habe mein Passwort vergessen und die E-Mail zum Zurücksetzen kommt nicht an. Mein Konto ist gesperrt." },
        new { subject = "Refund for a cancelled subscription", description = "I cancelled my subscription last week but was charged again. Please refund the payment to my account." },
    ];
    var suggestions = await MeasureAsync(i => service.PostAsJsonAsync("/api/v1/knowledge/suggestions", tickets[i % tickets.Length]), requests, "suggestions", tickets.Length);

    Console.WriteLine($"## Knowledge-base search, {total:N0} articles (70 % German, 30 % English; 90 % published)");
    Console.WriteLine();
    Console.WriteLine($"Command: `dotnet build -c Release CrmPlatform.sln && dotnet run -c Release --no-build --project bench/KnowledgeBench -- {string.Join(' ', args)}`");
    Console.WriteLine();
    Console.WriteLine($"Seeded by binary COPY in {seedTime.TotalSeconds:F1} s; {requests} sequential requests each (after {Warmup} warm-up), straight to the running Service, rotating queries.");
    Console.WriteLine();
    Console.WriteLine($"Share of the articles a term is in: {string.Join(", ", termShares.Select(t => $"`{t.Term}` {t.Share:P0}"))}.");
    Console.WriteLine();
    Console.WriteLine("| request | p50 | p95 | p99 |");
    Console.WriteLine("|---|---|---|---|");
    Console.WriteLine($"| agent search `/api/v1/knowledge/articles/search` (words, inflections, prefixes; 20 hits with snippets) | {Row(search)} |");
    Console.WriteLine($"| public help-centre search (anonymous, published only, 10 hits) | {Row(helpCentre)} |");
    Console.WriteLine($"| ticket suggestions (OR of a ticket's significant words, 5 hits) | {Row(suggestions)} |");
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

static async Task<double[]> MeasureAsync(Func<int, Task<HttpResponseMessage>> send, int count, string what, int kinds)
{
    for (var i = 0; i < Warmup; i++)
    {
        using var warm = await send(i);
        if (!warm.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{what}: {(int)warm.StatusCode} {await warm.Content.ReadAsStringAsync()}");
        }
    }
    var times = new double[count];
    for (var i = 0; i < count; i++)
    {
        var clock = Stopwatch.StartNew();
        using var response = await send(i);
        await response.Content.ReadAsByteArrayAsync();
        response.EnsureSuccessStatusCode();
        times[i] = clock.Elapsed.TotalMilliseconds;
    }
    Console.Error.WriteLine($"{what}: p95 {Percentile(times, 95):F1} ms; by query: " + string.Join(", ",
        Enumerable.Range(0, kinds).Select(k => $"#{k} p95 {Percentile(times.Where((_, i) => i % kinds == k).ToArray(), 95):F1}")));
    return times;
}
