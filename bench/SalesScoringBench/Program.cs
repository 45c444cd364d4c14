using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using CrmPlatform.Bench.Shared;
using CrmPlatform.SalesScoringBench;
using Npgsql;

// Usage: dotnet build -c Release CrmPlatform.sln && dotnet run -c Release --no-build --project bench/SalesScoringBench -- [leads] [closed share] [runs]
var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
var closedShare = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 0.3;
var runs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
var stateDirectory = Path.Combine(Path.GetTempPath(), $"crm-bench-{Guid.NewGuid():N}");
var adminSecret = Guid.NewGuid().ToString("N");
var timeout = TimeSpan.FromMinutes(10);
var environment = new Dictionary<string, string> { ["RateLimits__PerClient"] = "1000000", ["RateLimits__PerTenant"] = "1000000" };
void Log(string message) => Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {message}");

await using var host = PlatformProcess.StartAspire(stateDirectory, FreePort.Pick(), adminSecret, environment);
try
{
    var started = await host.WaitUntilHealthyAsync(timeout);
    Log($"platform healthy after {started.Healthy.TotalSeconds:F1} s");
    // Scoring alone is measured: the other domain services would otherwise share the two cores with it.
    foreach (var other in new[] { "Contacts", "Marketing", "Service" })
    {
        await host.StopServiceAsync(other, TimeSpan.FromMinutes(1));
    }
    using var admin = await host.CreateGatewayClientAsync("crm-admin", adminSecret);
    // Training and rescoring a hundred thousand leads may outlast HttpClient's default 100 s on a loaded machine.
    using var gateway = new HttpClient { BaseAddress = host.Gateway, Timeout = TimeSpan.FromMinutes(30) };
    gateway.DefaultRequestHeaders.Authorization = admin.DefaultRequestHeaders.Authorization;
    var connectionString = Procfs.Environment(host.ServiceProcess("Sales").Pid)["ConnectionStrings__salesdb"];

    // One lead through the gateway: the route works, and its row names the admin's tenant.
    var first = await gateway.PostAsJsonAsync("/api/v1/leads", new { lastName = "First", email = "first@bench.example.com", industry = "Software" });
    first.EnsureSuccessStatusCode();
    var firstId = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    Guid tenantId;
    await using (var connection = new NpgsqlConnection(connectionString))
    {
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT tenant_id FROM leads WHERE id = @id", connection);
        command.Parameters.AddWithValue("id", firstId);
        tenantId = (Guid)(await command.ExecuteScalarAsync())!;
    }

    Log($"generating {count} leads ({closedShare:P0} closed)");
    var leads = SyntheticLeads.Generate(count - 1, closedShare, seed: 11);
    var copy = Stopwatch.StartNew();
    await SyntheticLeads.CopyAsync(connectionString, tenantId, leads);
    copy.Stop();
    Log($"{leads.Count} leads and {leads.Sum(l => l.Engagements)} engagements written in {copy.Elapsed.TotalSeconds:F1} s");

    async Task<(TimeSpan Elapsed, int Rescored)> RescoreAsync()
    {
        var clock = Stopwatch.StartNew();
        var answer = await gateway.PostAsJsonAsync("/api/v1/lead-scoring/rescore", new { });
        answer.EnsureSuccessStatusCode();
        var rescored = (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rescored").GetInt32();
        return (clock.Elapsed, rescored);
    }

    async Task<Dictionary<Guid, double>> ScoresAsync()
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT id, score FROM leads WHERE tenant_id = @tenant AND status IN ('converted', 'disqualified')", connection);
        command.Parameters.AddWithValue("tenant", tenantId);
        await using var reader = await command.ExecuteReaderAsync();
        var scores = new Dictionary<Guid, double>();
        while (await reader.ReadAsync())
        {
            scores[reader.GetGuid(0)] = reader.GetDouble(1);
        }
        return scores;
    }

    var closed = leads.Where(l => l.Status is "converted" or "disqualified").ToList();
    var labels = closed.Select(l => l.Status == "converted").ToList();
    var ceiling = SyntheticLeads.Auc(closed.Select(l => l.TrueProbability).ToList(), labels);

    Log("scoring by rules");
    var ruleRuns = new List<TimeSpan>();
    var rescoredByRules = 0;
    for (var i = 0; i < runs; i++)
    {
        (var elapsed, rescoredByRules) = await RescoreAsync();
        ruleRuns.Add(elapsed);
        Log($"rules: {rescoredByRules} leads in {elapsed.TotalSeconds:F2} s");
    }
    var ruleScores = await ScoresAsync();
    var rulesAuc = SyntheticLeads.Auc(closed.Select(l => ruleScores[l.Id]).ToList(), labels);

    Log("training");
    var trainClock = Stopwatch.StartNew();
    var trainAnswer = await gateway.PostAsJsonAsync("/api/v1/lead-scoring/model/train", new { });
    var training = await trainAnswer.Content.ReadFromJsonAsync<JsonElement>();
    trainAnswer.EnsureSuccessStatusCode();
    var trainTime = trainClock.Elapsed;
    var model = training.GetProperty("model");
    Log($"trained: {model}");

    Log("scoring by the model");
    var modelRuns = new List<TimeSpan>();
    var rescoredByModel = 0;
    for (var i = 0; i < runs; i++)
    {
        (var elapsed, rescoredByModel) = await RescoreAsync();
        modelRuns.Add(elapsed);
        Log($"model: {rescoredByModel} leads in {elapsed.TotalSeconds:F2} s");
    }

    string Times(List<TimeSpan> times) =>
        $"{string.Join(" / ", times.Select(t => t.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture)))} s (best {times.Min().TotalSeconds:F2} s, {count / times.Min().TotalSeconds:F0} leads/s)";

    Console.WriteLine($"## Sales lead scoring, {count:N0} leads ({closed.Count:N0} closed: {labels.Count(l => l):N0} converted, {labels.Count(l => !l):N0} disqualified)");
    Console.WriteLine();
    Console.WriteLine($"Command: `dotnet build -c Release CrmPlatform.sln && dotnet run -c Release --no-build --project bench/SalesScoringBench -- {string.Join(' ', args)}`");
    Console.WriteLine();
    Console.WriteLine("| what | result |");
    Console.WriteLine("|---|---|");
    Console.WriteLine($"| generated leads written (binary COPY, with {leads.Sum(l => l.Engagements):N0} engagements) | {copy.Elapsed.TotalSeconds:F1} s |");
    Console.WriteLine($"| rescore all by rules, `POST /api/v1/lead-scoring/rescore` through the gateway, {runs} runs | {Times(ruleRuns)}; {rescoredByRules:N0} leads |");
    Console.WriteLine($"| train, `POST /api/v1/lead-scoring/model/train` (train on {model.GetProperty("trainingLeads")}, evaluate on {model.GetProperty("heldOutLeads")} held out, then rescore all) | {trainTime.TotalSeconds:F1} s |");
    Console.WriteLine($"| rescore all by the model, {runs} runs | {Times(modelRuns)}; {rescoredByModel:N0} leads |");
    Console.WriteLine($"| **model AUC on the held-out leads** (ML.NET's evaluation) | **{model.GetProperty("auc").GetDouble():F3}** (accuracy {model.GetProperty("accuracy").GetDouble():F3}) |");
    Console.WriteLine($"| AUC of the default rule weights over all closed leads | {rulesAuc:F3} |");
    Console.WriteLine($"| AUC of the generator's true probabilities (the ceiling the noise allows) | {ceiling:F3} |");
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
