using System.Diagnostics;
using System.Globalization;
using CrmPlatform.Bench.Shared;
using CrmPlatform.Persistence;
using CrmPlatform.Service.Data;
using CrmPlatform.Service.Sla.Clocks;
using CrmPlatform.Service.Tickets.Escalation;
using CrmPlatform.SlaBench;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

// Usage: dotnet build -c Release CrmPlatform.sln && dotnet run -c Release --no-build --project bench/SlaBench -- [open tickets] [breaches due] [warnings due] [runs]
var total = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
var breachDue = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2_000;
var warnDue = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3_000;
var runs = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 3;
var stateDirectory = Path.Combine(Path.GetTempPath(), $"crm-bench-{Guid.NewGuid():N}");
var adminSecret = Guid.NewGuid().ToString("N");
var timeout = TimeSpan.FromMinutes(10);
var tenant = Guid.Parse("00000000-0000-0000-0000-000000000001");
void Log(string message) => Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {message}");

await using var platform = PlatformProcess.StartAspire(stateDirectory, FreePort.Pick(), adminSecret);
try
{
    var started = await platform.WaitUntilHealthyAsync(timeout);
    Log($"platform healthy after {started.Healthy.TotalSeconds:F1} s");
    var connectionString = Procfs.Environment(platform.ServiceProcess("Service").Pid)["ConnectionStrings__servicedb"];
    // Service has migrated its database; stopped, its own sweep leaves the clocks to the measured one, and the other
    // services leave the two cores to it and PostgreSQL.
    foreach (var service in new[] { "Service", "Contacts", "Sales", "Marketing" })
    {
        await platform.StopServiceAsync(service, TimeSpan.FromMinutes(1));
    }

    // Service's own sweep code on its own database, as the hosted worker runs it (without a bus: the outbox rows are
    // what it writes; publishing them is the dispatcher's, measured elsewhere).
    var builder = Host.CreateApplicationBuilder();
    builder.Configuration["ConnectionStrings:servicedb"] = connectionString;
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.AddServiceDbContext<ServiceDbContext>("servicedb");
    builder.Services.AddScoped<ISlaEscalation, SlaBreachEscalation>();
    using var host = builder.Build();

    // Warm-up with a few due clocks: the first sweeps of a process pay for EF's model, the JIT of the claim, escalation
    // and outbox paths (tiered: optimised only after some dozens of calls) and PostgreSQL's first plans, which a
    // running service paid long ago; the measured runs should not.
    for (var warmUp = 0; warmUp < 5; warmUp++)
    {
        await Seed.RunAsync(connectionString, tenant, Guid.CreateVersion7(), 5_000, 200, 300, DateTime.UtcNow);
        await ActivatorUtilities.CreateInstance<SlaSweep>(host.Services).SweepAsync(CancellationToken.None);
        await ActivatorUtilities.CreateInstance<SlaSweep>(host.Services).SweepAsync(CancellationToken.None);
    }

    Log($"load average settled at {await Procfs.SettleAsync(1.5, TimeSpan.FromMinutes(3)):F2}");
    var rows = new List<string>();
    for (var run = 1; run <= runs; run++)
    {
        var seeding = Stopwatch.StartNew();
        await Seed.RunAsync(connectionString, tenant, Guid.CreateVersion7(), total, breachDue, warnDue, DateTime.UtcNow);
        Log($"run {run}: seeded {total} clocks by binary COPY in {seeding.Elapsed.TotalSeconds:F1} s");

        var sweep = ActivatorUtilities.CreateInstance<SlaSweep>(host.Services);
        var clock = Stopwatch.StartNew();
        var (warnings, breaches) = await sweep.SweepAsync(CancellationToken.None);
        var elapsed = clock.Elapsed;
        var idle = Stopwatch.StartNew();
        var again = await ActivatorUtilities.CreateInstance<SlaSweep>(host.Services).SweepAsync(CancellationToken.None);
        var idleElapsed = idle.Elapsed;
        if ((warnings, breaches) != (warnDue, breachDue) || again != (0, 0))
        {
            throw new InvalidOperationException($"expected {warnDue} warnings and {breachDue} breaches once; got {warnings}, {breaches}, then {again}");
        }
        var escalated = await EscalatedAsync(connectionString);
        if (escalated.Escalations != breachDue || escalated.Emails == 0)
        {
            throw new InvalidOperationException($"expected {breachDue} escalations and their managers' emails; got {escalated}");
        }
        Log($"run {run}: {warnings} warnings, {breaches} breaches in {elapsed.TotalMilliseconds:F0} ms ({escalated}); a sweep with nothing due {idleElapsed.TotalMilliseconds:F1} ms");
        rows.Add($"| {run} | {elapsed.TotalMilliseconds:F0} ms | {escalated.Reassigned:N0} reassigned, {escalated.Escalations - escalated.Reassigned:N0} kept, {escalated.Emails:N0} manager emails "
            + $"| {idleElapsed.TotalMilliseconds:F1} ms | {File.ReadAllText("/proc/loadavg").Split(' ')[0]} |");
    }

    Console.WriteLine($"## SLA sweep, {total:N0} open tickets ({breachDue:N0} past due, {warnDue:N0} past their warning)");
    Console.WriteLine();
    Console.WriteLine($"Command: `dotnet build -c Release CrmPlatform.sln && dotnet run -c Release --no-build --project bench/SlaBench -- {string.Join(' ', args)}`");
    Console.WriteLine();
    Console.WriteLine("| run | sweep (claims, escalations, outbox rows, all due) | what escalation did | sweep with nothing due | load average (1 min) |");
    Console.WriteLine("|---|---|---|---|---|");
    rows.ForEach(Console.WriteLine);
}
catch
{
    Console.Error.WriteLine(platform.Output);
    throw;
}
finally
{
    var stop = await platform.StopAsync(timeout);
    Log($"stopped in {stop.Elapsed.TotalSeconds:F1} s");
    if (Directory.Exists(stateDirectory))
    {
        Directory.Delete(stateDirectory, recursive: true);
    }
}

// What the measured sweep's escalation wrote, read back: one escalation per breach, one email per manager and claim batch.
static async Task<(int Escalations, int Reassigned, int Emails)> EscalatedAsync(string connectionString)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var count = new NpgsqlCommand(
        "SELECT (SELECT count(*) FROM sla_escalations)::int, (SELECT count(*) FROM sla_escalations WHERE action = 'reassigned')::int, (SELECT count(*) FROM outgoing_emails)::int",
        connection);
    await using var reader = await count.ExecuteReaderAsync();
    await reader.ReadAsync();
    return (reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2));
}
