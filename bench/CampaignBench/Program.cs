using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using CrmPlatform.Bench.Shared;
using Npgsql;
using NpgsqlTypes;

// Usage: dotnet build -c Release CrmPlatform.sln && dotnet run -c Release --no-build --project bench/CampaignBench -- [recipients] [messages per second]
var total = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
var rate = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5000;
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
    using var marketing = new HttpClient { BaseAddress = host.ServiceUrl("Marketing"), Timeout = TimeSpan.FromMinutes(5) };
    marketing.DefaultRequestHeaders.Authorization = gateway.DefaultRequestHeaders.Authorization;
    var connectionString = Procfs.Environment(host.ServiceProcess("Marketing").Pid)["ConnectionStrings__marketingdb"];
    // Sales and Service stopped: the cores go to Marketing, PostgreSQL and the mail sink.
    foreach (var service in new[] { "Sales", "Service" })
    {
        await host.StopServiceAsync(service, TimeSpan.FromMinutes(1));
    }

    var segment = await PostAsync(marketing, "/api/v1/segments", new { name = "Bench list", kind = "static" });
    Log($"seeding {total:N0} consenting people into Marketing's replicas and the list by binary COPY");
    var seeding = Stopwatch.StartNew();
    await SeedAsync(connectionString, tenant, segment, total, DateTime.UtcNow);
    Log($"seeded in {seeding.Elapsed.TotalSeconds:F1} s; load average settled at {await Procfs.SettleAsync(1.5, TimeSpan.FromMinutes(3)):F2}");

    var template = await PostAsync(marketing, "/api/v1/email-templates", new
    {
        name = "Bench", subject = "Hello {{ person.first_name | default: \"there\" }}",
        html = "<html><body><p>Hi {{ person.first_name }}, <a href=\"https://www.acme.example/news\">news</a></p></body></html>",
        text = "Hi {{ person.first_name }}\nUnsubscribe: {{ unsubscribe.url }}",
    });
    var campaign = await PostAsync(marketing, "/api/v1/campaigns", new
    {
        name = "Bench", templateId = template, segmentId = segment, purpose = "newsletter", from = "Bench <bench@acme.example>", messagesPerSecond = rate,
    });
    using (var send = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/campaigns/{campaign}/send") { Content = JsonContent.Create(new { }) })
    {
        send.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        (await marketing.SendAsync(send)).EnsureSuccessStatusCode();
    }
    var clock = Stopwatch.StartNew();
    JsonElement stats;
    while (true)
    {
        stats = await marketing.GetFromJsonAsync<JsonElement>($"/api/v1/campaigns/{campaign}/statistics");
        if (stats.GetProperty("status").GetString() == "sent")
        {
            break;
        }
        if (clock.Elapsed > TimeSpan.FromMinutes(30))
        {
            throw new InvalidOperationException($"Not sent in 30 minutes: {stats}");
        }
        await Task.Delay(500);
    }
    var details = await marketing.GetFromJsonAsync<JsonElement>($"/api/v1/campaigns/{campaign}");
    var sendingTime = details.GetProperty("finishedAt").GetDateTime() - details.GetProperty("startedAt").GetDateTime();
    var sent = stats.GetProperty("sent").GetInt32();
    Log($"{sent:N0} sent in {sendingTime.TotalSeconds:F1} s");

    Console.WriteLine($"## Marketing campaign, {total:N0} recipients");
    Console.WriteLine();
    Console.WriteLine($"Command: `dotnet build -c Release CrmPlatform.sln && dotnet run -c Release --no-build --project bench/CampaignBench -- {total} {rate}`");
    Console.WriteLine();
    Console.WriteLine($"| recipients | sent | skipped | failed | campaign rate limit | started → finished | messages/s |");
    Console.WriteLine("|---|---|---|---|---|---|---|");
    Console.WriteLine($"| {stats.GetProperty("recipients").GetInt32():N0} | {sent:N0} | {stats.GetProperty("skipped").GetInt32():N0} | {stats.GetProperty("failed").GetInt32():N0} | {rate}/s | {sendingTime.TotalSeconds:F1} s | {sent / sendingTime.TotalSeconds:F0} |");
}
catch
{
    Console.Error.WriteLine(host.Output);
    throw;
}
finally
{
    var stop = await host.StopAsync(timeout);
    Log($"stopped in {stop.Elapsed.TotalSeconds:F1} s; processes left running at exit: {stop.LeftAtExit.Count}, 10 s later: {stop.LeftAfterGrace.Count}");
    if (Directory.Exists(stateDirectory))
    {
        Directory.Delete(stateDirectory, recursive: true);
    }
}

static async Task<Guid> PostAsync(HttpClient client, string url, object body)
{
    var response = await client.PostAsJsonAsync(url, body);
    var text = await response.Content.ReadAsStringAsync();
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"{url}: {(int)response.StatusCode} {text}");
    }
    return JsonDocument.Parse(text).RootElement.GetProperty("id").GetGuid();
}

// People as Marketing's consumers would have kept them from Contacts' events (directory, profile, a granted newsletter
// consent), and their membership of the static list.
static async Task SeedAsync(string connectionString, Guid tenant, Guid segment, int total, DateTime now)
{
    var ids = Enumerable.Range(0, total).Select(_ => Guid.CreateVersion7()).ToArray();
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    async Task CopyAsync(string sql, Func<NpgsqlBinaryImporter, int, Task> row)
    {
        await using var copy = await connection.BeginBinaryImportAsync(sql);
        for (var i = 0; i < total; i++)
        {
            await copy.StartRowAsync();
            await row(copy, i);
        }
        await copy.CompleteAsync();
    }
    await CopyAsync("COPY directory_contacts (id, tenant_id, version, is_deleted, created_at, updated_at, kind, display_name, email, " +
        "processing_restricted, objects_to_direct_marketing, tags) FROM STDIN (FORMAT BINARY)", async (copy, i) =>
    {
        await copy.WriteAsync(ids[i], NpgsqlDbType.Uuid);
        await copy.WriteAsync(tenant, NpgsqlDbType.Uuid);
        await copy.WriteAsync(1, NpgsqlDbType.Integer);
        await copy.WriteAsync(false, NpgsqlDbType.Boolean);
        await copy.WriteAsync(now, NpgsqlDbType.TimestampTz);
        await copy.WriteAsync(now, NpgsqlDbType.TimestampTz);
        await copy.WriteAsync("Person", NpgsqlDbType.Varchar);
        await copy.WriteAsync($"Bench Person {i}", NpgsqlDbType.Varchar);
        await copy.WriteAsync($"bench-{i}@example.com", NpgsqlDbType.Varchar);
        await copy.WriteAsync(false, NpgsqlDbType.Boolean);
        await copy.WriteAsync(false, NpgsqlDbType.Boolean);
        await copy.WriteAsync(Array.Empty<string>(), NpgsqlDbType.Array | NpgsqlDbType.Text);
    });
    await CopyAsync("COPY recipient_profiles (id, tenant_id, version, is_deleted, created_at, updated_at, first_name, last_name, language, do_not_email, erased) " +
        "FROM STDIN (FORMAT BINARY)", async (copy, i) =>
    {
        await copy.WriteAsync(ids[i], NpgsqlDbType.Uuid);
        await copy.WriteAsync(tenant, NpgsqlDbType.Uuid);
        await copy.WriteAsync(1, NpgsqlDbType.Integer);
        await copy.WriteAsync(false, NpgsqlDbType.Boolean);
        await copy.WriteAsync(now, NpgsqlDbType.TimestampTz);
        await copy.WriteAsync(now, NpgsqlDbType.TimestampTz);
        await copy.WriteAsync(i % 10 == 0 ? "" : $"Bench{i}", NpgsqlDbType.Varchar);
        await copy.WriteAsync("Person", NpgsqlDbType.Varchar);
        await copy.WriteAsync(i % 5 == 0 ? "de" : "en", NpgsqlDbType.Varchar);
        await copy.WriteAsync(false, NpgsqlDbType.Boolean);
        await copy.WriteAsync(false, NpgsqlDbType.Boolean);
    });
    await CopyAsync("COPY consent_replicas (id, tenant_id, version, is_deleted, created_at, updated_at, person_id, purpose, channel, status, valid_from, valid_until, changed_at) " +
        "FROM STDIN (FORMAT BINARY)", async (copy, i) =>
    {
        await copy.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
        await copy.WriteAsync(tenant, NpgsqlDbType.Uuid);
        await copy.WriteAsync(1, NpgsqlDbType.Integer);
        await copy.WriteAsync(false, NpgsqlDbType.Boolean);
        await copy.WriteAsync(now, NpgsqlDbType.TimestampTz);
        await copy.WriteAsync(now, NpgsqlDbType.TimestampTz);
        await copy.WriteAsync(ids[i], NpgsqlDbType.Uuid);
        await copy.WriteAsync("newsletter", NpgsqlDbType.Varchar);
        await copy.WriteAsync("email", NpgsqlDbType.Varchar);
        // One in twenty withdrew: the gate has something to refuse.
        await copy.WriteAsync(i % 20 == 0 ? "withdrawn" : "granted", NpgsqlDbType.Varchar);
        await copy.WriteAsync(now.AddDays(-1), NpgsqlDbType.TimestampTz);
        await copy.WriteNullAsync();
        await copy.WriteAsync(now.AddDays(-1), NpgsqlDbType.TimestampTz);
    });
    await CopyAsync("COPY segment_memberships (id, tenant_id, segment_id, person_id, entered_at) FROM STDIN (FORMAT BINARY)", async (copy, i) =>
    {
        await copy.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
        await copy.WriteAsync(tenant, NpgsqlDbType.Uuid);
        await copy.WriteAsync(segment, NpgsqlDbType.Uuid);
        await copy.WriteAsync(ids[i], NpgsqlDbType.Uuid);
        await copy.WriteAsync(now, NpgsqlDbType.TimestampTz);
    });
    await using var vacuum = new NpgsqlCommand("VACUUM (ANALYZE) directory_contacts, recipient_profiles, consent_replicas, segment_memberships", connection) { CommandTimeout = 600 };
    await vacuum.ExecuteNonQueryAsync();
}
